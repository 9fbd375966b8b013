"""``/api/v1/jobs/offers/``: published job offers, public read (issue 19, item 9).

No credentials needed; anonymous callers are rate-limited per address like every API caller.
The filters are the portal search's (``q`` in Polish, inflection- and diacritics-insensitive,
``area`` TERYT prefix, ``near`` + ``km``, ``occupation`` KZiS prefix, ``contract``,
``working_time``, ``pay_min``, ``verified``); a bad filter answers 400 with problem details.
Results are newest first with cursor pagination (stable under inserts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from okienko.api.base import ReadOnlyApiViewSet
from okienko.api.serializers import linked
from okienko.jobs import content, search
from okienko.jobs.forms import OfferSearchForm
from okienko.jobs.models import JobOffer
from okienko.jobs.states import ContractType


class EmployerSummarySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    nip = serializers.CharField()
    verified = serializers.BooleanField(source="is_verified")


class LanguageSerializer(serializers.Serializer[Any]):
    language = serializers.CharField()
    level = serializers.CharField(allow_blank=True)


class JobOfferSerializer(serializers.ModelSerializer[JobOffer]):
    employer = EmployerSummarySerializer(read_only=True)
    office = linked("code")
    occupation_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField(help_text="Sanitised HTML (formatting and links only).")
    education = serializers.ListField(child=serializers.CharField(), read_only=True)
    skills = serializers.ListField(child=serializers.CharField(), read_only=True)
    driving_licences = serializers.ListField(child=serializers.CharField(), read_only=True)
    languages = LanguageSerializer(many=True, read_only=True)
    contact_email = serializers.CharField(read_only=True)

    class Meta:
        model = JobOffer
        fields = [
            "uuid", "origin", "verified", "employer", "office", "title", "occupation_code", "occupation_edition",
            "occupation_name", "place_teryt", "place_locality", "place_street", "latitude", "longitude", "work_mode",
            "posts", "contract_type", "working_time", "shifts", "hours_note", "pay_min", "pay_max", "pay_currency",
            "pay_period", "pay_note", "education", "experience_years", "skills", "languages", "driving_licences",
            "requirements_text", "description", "valid_from", "valid_until", "contact_preference", "contact_name",
            "contact_phone", "contact_email", "published_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_occupation_name(self, offer: JobOffer) -> str:
        return search.occupation_names().get(offer.occupation_code, "")

    def get_description(self, offer: JobOffer) -> str:
        return content.display_html(offer.description, approved=True)


FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to look for (plain words; max 200 characters)."),
    OpenApiParameter("area", OpenApiTypes.STR, description="TERYT code prefix: 2, 4 or 7 digits."),
    OpenApiParameter("near", OpenApiTypes.STR, description="A locality (name or 7-digit TERYT) for `km`."),
    OpenApiParameter("km", OpenApiTypes.INT, description="Distance from `near` in km, 1–300."),
    OpenApiParameter("occupation", OpenApiTypes.STR, description="KZiS code or its beginning (1–6 digits)."),
    OpenApiParameter("contract", OpenApiTypes.STR, enum=ContractType.values, many=True),
    OpenApiParameter("working_time", OpenApiTypes.STR, enum=["full", "part"]),
    OpenApiParameter("pay_min", OpenApiTypes.NUMBER, description="Pay at least this much a month (PLN)."),
    OpenApiParameter("verified", OpenApiTypes.BOOL, description="Only offers verified by a labour office."),
]


@extend_schema_view(
    list=extend_schema(
        operation_id="jobs_offers_list",
        summary="Published job offers (public)",
        tags=["jobs"],
        parameters=FILTERS,
        auth=[],
    ),
    retrieve=extend_schema(
        operation_id="jobs_offers_retrieve", summary="A published job offer", tags=["jobs"], auth=[]
    ),
)
class JobOfferViewSet(ReadOnlyApiViewSet):
    serializer_class = JobOfferSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    lookup_field = "uuid"
    filter_backends = []

    def get_queryset(self) -> QuerySet[JobOffer]:
        if self.action != "list":
            return JobOffer.objects.published().select_related("employer", "office")
        params = self.request.query_params
        form = OfferSearchForm({key: (params.getlist(key) if key == "contract" else params.get(key)) for key in params})
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        offers, _found = search.filtered(form.filters())
        return offers.select_related("employer", "office")

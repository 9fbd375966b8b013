"""``/api/v1/jobs/cvs/`` and ``/api/v1/jobs/applications/``: job seekers' CVs and their
applications for job offers, for staff of the client's office (issue 19, item 9).

Read-only and scoped like clients: rows of clients whose home office is an organisation where
the caller may see clients (and within the token's organisation). Every read of one CV or one
application is logged as an access to personal data; a request for another office's row answers
404 and is logged as a refusal. Lists carry no letter and no contact details.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as df
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.api.base import FilterSet, ReadOnlyApiViewSet
from okienko.api.models import Scope
from okienko.api.permissions import limit_to_token
from okienko.clients.models import Client
from okienko.core import audit
from okienko.jobs.seekers.models import CV, Application


class CVSerializer(serializers.ModelSerializer[CV]):
    client = serializers.UUIDField(source="client.uuid", read_only=True)
    searchable = serializers.SerializerMethodField(help_text="Verified employers may find the CV (consent given).")
    has_document = serializers.SerializerMethodField(help_text="The job seeker keeps a CV document on the portal.")
    education = serializers.ListField(child=serializers.CharField(), read_only=True)
    skills = serializers.ListField(child=serializers.CharField(), read_only=True)
    areas = serializers.ListField(child=serializers.CharField(), read_only=True)
    driving_licences = serializers.ListField(child=serializers.CharField(), read_only=True)
    experience = serializers.ListField(child=serializers.DictField(), read_only=True)
    languages = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = CV
        fields = [
            "uuid", "client", "pseudonym", "headline", "main_occupation", "experience", "experience_years",
            "education", "skills", "languages", "driving_licences", "available_from", "areas", "working_time",
            "searchable", "has_document", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_searchable(self, cv: CV) -> bool:
        return cv.consent_id is not None

    def get_has_document(self, cv: CV) -> bool:
        return hasattr(cv, "file")


class ApplicationListSerializer(serializers.ModelSerializer[Application]):
    cv = serializers.UUIDField(source="cv.uuid", read_only=True)
    client = serializers.UUIDField(source="cv.client.uuid", read_only=True)
    offer = serializers.UUIDField(source="offer.uuid", read_only=True)
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    employer = serializers.CharField(source="offer.employer.name", read_only=True)

    class Meta:
        model = Application
        fields = [
            "uuid", "cv", "client", "offer", "offer_title", "employer", "status", "with_file", "created_at",
            "status_changed_at",
        ]  # fmt: skip
        read_only_fields = fields


class ApplicationSerializer(ApplicationListSerializer):
    class Meta(ApplicationListSerializer.Meta):
        fields = [*ApplicationListSerializer.Meta.fields, "letter"]
        read_only_fields = fields


def _visible_clients(request: Request) -> QuerySet[Client]:
    return limit_to_token(request, Client.objects.visible_to(request.user), "home_office")


class CVFilter(FilterSet):
    client = df.UUIDFilter(field_name="client__uuid")

    class Meta:
        model = CV
        fields = ["client"]


class CVViewSet(ReadOnlyApiViewSet):
    serializer_class = CVSerializer
    read_scope = Scope.CLIENTS_READ
    lookup_field = "uuid"
    denial_scope_field = "client.home_office"
    filterset_class = CVFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            CV.objects.filter(client__in=_visible_clients(self.request))
            .select_related("client", "file")
            .order_by("-id")
        )

    @extend_schema(summary="Read a job seeker's CV (the access is logged)", responses=CVSerializer)
    def retrieve(self, request: Request, uuid: str) -> Response:
        cv = self.scoped_object(uuid)
        audit.record_access(request.user, cv, organisation_id=cv.client.home_office_id, purpose="api")
        return Response(CVSerializer(cv).data)


class ApplicationFilter(FilterSet):
    client = df.UUIDFilter(field_name="cv__client__uuid")
    offer = df.UUIDFilter(field_name="offer__uuid")
    status = df.ChoiceFilter(choices=Application.Status.choices)

    class Meta:
        model = Application
        fields = ["client", "offer", "status"]


class ApplicationViewSet(ReadOnlyApiViewSet):
    serializer_class = ApplicationListSerializer
    read_scope = Scope.CLIENTS_READ
    lookup_field = "uuid"
    denial_scope_field = "cv.client.home_office"
    filterset_class = ApplicationFilter
    ordering_fields = ["id", "created_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            Application.objects.filter(cv__client__in=_visible_clients(self.request))
            .select_related("cv", "cv__client", "offer", "offer__employer")
            .order_by("-id")
        )

    @extend_schema(
        summary="Read an application for a job offer (the access is logged)", responses=ApplicationSerializer
    )
    def retrieve(self, request: Request, uuid: str) -> Response:
        application = self.scoped_object(uuid)
        audit.record_access(
            request.user, application, organisation_id=application.cv.client.home_office_id, purpose="api"
        )
        return Response(ApplicationSerializer(application).data)

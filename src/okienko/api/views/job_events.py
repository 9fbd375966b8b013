"""``/api/v1/jobs/trainings/`` and ``/api/v1/jobs/events/``: published trainings and job fairs,
public read (issue 19, item 7). No credentials needed; anonymous callers are rate-limited per
address like every API caller. Filters: ``occupation`` (KZiS prefix of an occupation the item
leads to), ``office`` (the organising office's code), ``from`` (starting on or after a day), for
trainings ``funding`` and ``free``, for events ``kind``; a bad filter answers 400 with problem
details. Registrations are not exposed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from okienko.api.base import ReadOnlyApiViewSet
from okienko.api.serializers import linked
from okienko.jobs import content
from okienko.jobs.events.models import Event, Training
from okienko.jobs.events.states import EventKind, Funding


class _ItemSerializer(serializers.ModelSerializer[Any]):
    office = linked("code")
    office_name = serializers.CharField(source="office.name", read_only=True)
    region_wide = serializers.BooleanField(read_only=True)
    description = serializers.SerializerMethodField(help_text="Sanitised HTML (formatting and links only).")
    occupations = serializers.ListField(child=serializers.CharField(), read_only=True)
    free_places = serializers.IntegerField(read_only=True)

    def get_description(self, item: Training | Event) -> str:
        return content.display_html(item.description, approved=True)


COMMON = ["uuid", "office", "office_name", "region_wide", "title", "description", "occupations", "capacity",
          "free_places", "waiting_list", "registration_open", "status", "published_at"]  # fmt: skip


class JobTrainingSerializer(_ItemSerializer):
    class Meta:
        model = Training
        fields = [*COMMON, "provider", "start_date", "end_date", "hours", "online", "place_locality", "place_teryt",
                  "cost", "funding", "registration_deadline"]  # fmt: skip
        read_only_fields = fields


class JobEventSerializer(_ItemSerializer):
    class Meta:
        model = Event
        fields = [*COMMON, "kind", "starts_at", "ends_at", "online", "address", "place_teryt", "online_link"]
        read_only_fields = fields


COMMON_FILTERS = [
    OpenApiParameter("occupation", OpenApiTypes.STR, description="KZiS code or its beginning (1–6 digits)."),
    OpenApiParameter("office", OpenApiTypes.STR, description="The organising office's code."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Starting on or after this day (YYYY-MM-DD)."),
]


def _filtered(items: QuerySet[Any], params: Any, start_field: str) -> QuerySet[Any]:
    occupation = params.get("occupation", "")
    if occupation:
        if not re.fullmatch(r"\d{1,6}", occupation):
            raise ValidationError({"occupation": ["A KZiS code or its beginning: 1 to 6 digits."]})
        items = items.annotate(occupation_text=Cast("occupations", TextField())).filter(
            occupation_text__contains=f'"{occupation}'
        )
    office = params.get("office", "")
    if office:
        items = items.filter(office__code=office[:60])
    start = params.get("from", "")
    if start:
        try:
            day = dt.date.fromisoformat(start)
        except ValueError as exc:
            raise ValidationError({"from": ["A day as YYYY-MM-DD."]}) from exc
        day = max(day, dt.date(1000, 1, 1))  # the same rows; an earlier day overflows in UTC
        if start_field == "start_date":
            items = items.filter(start_date__gte=day)
        else:
            items = items.filter(starts_at__gte=timezone.make_aware(dt.datetime.combine(day, dt.time())))
    return items


class _PublicViewSet(ReadOnlyApiViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []
    lookup_field = "uuid"
    filter_backends = []


@extend_schema_view(
    list=extend_schema(
        operation_id="jobs_trainings_list",
        summary="Published trainings (public)",
        tags=["jobs"],
        parameters=[
            *COMMON_FILTERS,
            OpenApiParameter("funding", OpenApiTypes.STR, enum=Funding.values),
            OpenApiParameter("free", OpenApiTypes.BOOL, description="Only trainings free for the participant."),
        ],
        auth=[],
    ),
    retrieve=extend_schema(
        operation_id="jobs_trainings_retrieve", summary="A published training", tags=["jobs"], auth=[]
    ),
)
class TrainingViewSet(_PublicViewSet):
    serializer_class = JobTrainingSerializer

    def get_queryset(self) -> QuerySet[Training]:
        items = Training.objects.published().select_related("office")
        if self.action != "list":
            return items
        params = self.request.query_params
        funding = params.get("funding", "")
        if funding:
            if funding not in Funding.values:
                raise ValidationError({"funding": [f"One of: {', '.join(Funding.values)}."]})
            items = items.filter(funding=funding)
        if params.get("free", "").lower() in ("1", "true", "yes"):
            items = items.filter(Q(cost=0) | ~Q(funding=Funding.PARTICIPANT))
        return _filtered(items, params, "start_date")


@extend_schema_view(
    list=extend_schema(
        operation_id="jobs_events_list",
        summary="Published job fairs and events (public)",
        tags=["jobs"],
        parameters=[*COMMON_FILTERS, OpenApiParameter("kind", OpenApiTypes.STR, enum=EventKind.values)],
        auth=[],
    ),
    retrieve=extend_schema(
        operation_id="jobs_events_retrieve", summary="A published job fair or event", tags=["jobs"], auth=[]
    ),
)
class EventViewSet(_PublicViewSet):
    serializer_class = JobEventSerializer

    def get_queryset(self) -> QuerySet[Event]:
        items = Event.objects.published().select_related("office")
        if self.action != "list":
            return items
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind:
            if kind not in EventKind.values:
                raise ValidationError({"kind": [f"One of: {', '.join(EventKind.values)}."]})
            items = items.filter(kind=kind)
        return _filtered(items, params, "starts_at")

"""``/api/v1/appointments/``: appointments at the county offices for staff systems (issue 19, item 6).

Scoped like the desk: a caller sees the appointments of the organisations where it may see
clients' personal data (``clients:read``), and books or cancels where it may edit them
(``clients:write``); a token is further limited to its organisation's subtree. An appointment
outside the scope answers 404 (and the attempt is logged). The staff-only notes are returned
to these callers. ``/api/v1/appointments/schedules/`` lists the offices' schedules with their
visit types, and ``…/schedules/<office>/slots/?visit_type=&day=`` the free times of one day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.accounts.roles import Perm
from okienko.api.base import ApiViewSet, FilterSet, MomentFilter
from okienko.api.idempotency import idempotent
from okienko.api.models import Scope
from okienko.api.permissions import may_in, organisations_for
from okienko.api.problems import ProblemError
from okienko.api.serializers import linked
from okienko.clients.models import Client
from okienko.jobs.appointments import actions, slots
from okienko.jobs.appointments.models import Appointment, Schedule, VisitType


class VisitTypeSerializer(serializers.ModelSerializer[VisitType]):
    class Meta:
        model = VisitType
        fields = ["id", "name", "minutes", "description", "portal"]
        read_only_fields = fields


class ScheduleSerializer(serializers.ModelSerializer[Schedule]):
    office = linked("code")
    visit_types = serializers.SerializerMethodField()

    class Meta:
        model = Schedule
        fields = ["office", "slot_minutes", "horizon_days", "cancel_hours", "portal_booking", "visit_types"]
        read_only_fields = fields

    @extend_schema_field(VisitTypeSerializer(many=True))
    def get_visit_types(self, schedule: Schedule) -> list[dict[str, Any]]:
        kinds = [v for v in schedule.visit_types.all() if v.active]
        return list(VisitTypeSerializer(kinds, many=True).data)


class AppointmentSerializer(serializers.ModelSerializer[Appointment]):
    client = linked("uuid")
    office = linked("code")
    visit_type = VisitTypeSerializer(read_only=True)
    booked_on_portal = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "uuid", "client", "office", "visit_type", "starts_at", "ends_at", "desk", "status", "notes",
            "booked_on_portal", "created_at", "cancelled_at", "cancelled_by_office", "cancel_reason",
            "reminder_sent_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_booked_on_portal(self, appointment: Appointment) -> bool:
        return appointment.booked_by_account_id is not None


class BookSerializer(serializers.Serializer[Any]):
    client = serializers.UUIDField()
    visit_type = serializers.IntegerField(min_value=1)
    starts_at = serializers.DateTimeField()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SlotSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free_desks = serializers.IntegerField()


class AppointmentFilter(FilterSet):
    office = df.CharFilter(field_name="office__code")
    client = df.UUIDFilter(field_name="client__uuid")
    starts_after = MomentFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = MomentFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Appointment
        fields = ["office", "client", "status"]


@extend_schema_view(
    list=extend_schema(summary="Appointments of the caller's offices", tags=["appointments"]),
    retrieve=extend_schema(summary="An appointment", tags=["appointments"]),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = AppointmentSerializer
    read_scope = Scope.CLIENTS_READ
    write_scope = Scope.CLIENTS_WRITE
    lookup_field = "uuid"
    denial_scope_field = "office"
    filterset_class = AppointmentFilter
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["starts_at"]

    def get_queryset(self) -> QuerySet[Appointment]:
        offices = organisations_for(self.request, Perm.CLIENTS_VIEW)
        return Appointment.objects.filter(office__in=offices).select_related("client", "office", "visit_type")

    @extend_schema(
        summary="Book an appointment for a client",
        tags=["appointments"],
        request=BookSerializer,
        responses={201: AppointmentSerializer},
    )
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._book(request))

    def _book(self, request: Request) -> Response:
        form = BookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        client = (
            Client.objects.filter(uuid=data["client"], home_office__in=organisations_for(request, Perm.CLIENTS_VIEW))
            .select_related("home_office")
            .first()
        )
        if client is None:
            raise ProblemError(400, _("Unknown client."), errors={"client": [_("Unknown client.")]})
        visit_type = VisitType.objects.select_related("schedule__office").filter(pk=data["visit_type"]).first()
        if visit_type is None or not may_in(request, Perm.CLIENTS_EDIT, visit_type.schedule.office):
            raise ProblemError(400, _("Unknown visit type."), errors={"visit_type": [_("Unknown visit type.")]})
        if not may_in(request, Perm.CLIENTS_EDIT, client.home_office):
            raise ProblemError(403, _("You may not book visits for this client."))
        appointment = actions.book(
            actor=request.user,
            client=client,
            visit_type=visit_type,
            starts_at=data["starts_at"].astimezone(dt.UTC),
            notes=data.get("notes") or "",
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel an appointment (the client is told)",
        tags=["appointments"],
        request=CancelSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, uuid: str) -> Response:
        appointment = self.scoped_object(uuid)
        if not may_in(request, Perm.CLIENTS_EDIT, appointment.office):
            raise ProblemError(403, _("You may not cancel visits of this office."))
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        done = actions.cancel(
            actor=request.user, appointment=appointment, by_office=True, reason=form.validated_data["reason"]
        )
        return Response(AppointmentSerializer(done).data)


@extend_schema_view(
    list=extend_schema(summary="Appointment schedules of the caller's offices", tags=["appointments"]),
    retrieve=extend_schema(summary="An office's appointment schedule", tags=["appointments"]),
)
class ScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ScheduleSerializer
    read_scope = Scope.CLIENTS_READ
    write_scope = Scope.CLIENTS_WRITE
    lookup_field = "office"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filter_backends: list[Any] = []
    ordering = ["office__path"]

    def get_queryset(self) -> QuerySet[Schedule]:
        offices = organisations_for(self.request, Perm.CLIENTS_VIEW)
        return (
            Schedule.objects.filter(office__in=offices, active=True)
            .select_related("office")
            .prefetch_related("visit_types")
            .order_by("office__path")
        )

    def get_object(self) -> Schedule:
        found = self.get_queryset().filter(office__code=self.kwargs["office"]).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(
        summary="Free times of one day for a visit type",
        tags=["appointments"],
        parameters=[
            OpenApiParameter("visit_type", OpenApiTypes.INT, required=True, description="The visit type's id."),
            OpenApiParameter("day", OpenApiTypes.DATE, required=True, description="The day (YYYY-MM-DD)."),
        ],
        responses={200: SlotSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def slots(self, request: Request, office: str) -> Response:
        schedule = self.get_object()
        errors: dict[str, list[str]] = {}
        raw_type = request.query_params.get("visit_type", "")
        visit_type = (
            VisitType.objects.filter(schedule=schedule, pk=int(raw_type), active=True).first()
            if raw_type.isdigit() and len(raw_type) < 10
            else None
        )
        if visit_type is None:
            errors["visit_type"] = [_("Unknown visit type.")]
        try:
            day = dt.date.fromisoformat(request.query_params.get("day", ""))
        except ValueError:
            errors["day"] = [_("Enter the day as YYYY-MM-DD.")]
        else:
            if not 2000 <= day.year <= 2100:
                errors["day"] = [_("Choose dates between 2000 and 2100.")]
        if errors:
            raise ProblemError(400, _("The request has invalid fields."), errors=errors)
        assert visit_type is not None
        found = slots.free_slots(schedule, visit_type, day, horizon=False)
        rows = [{"starts_at": s.starts_at, "ends_at": s.ends_at, "free_desks": len(s.free_desks)} for s in found]
        return Response(SlotSerializer(rows, many=True).data)

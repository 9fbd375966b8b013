"""Cases: list, read (ETag), open (idempotent), correct (PATCH), transition, assign, notes, attachments.

Every write calls ``cases.actions``; ``If-Match: "v<version>"`` (or ``version`` in the body)
becomes the action's ``expected_version``, so a stale write answers 412 with the current version.
The actions' domain errors (``core.errors``) become problem details in ``api.problems.handle``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as df
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.accounts.models import Organisation, User
from okienko.api.base import ApiViewSet, FilterSet, MomentFilter
from okienko.api.conditional import etag_for, with_etag
from okienko.api.idempotency import idempotent
from okienko.api.models import Scope
from okienko.api.parsers import JSONParser
from okienko.api.permissions import limit_to_token, token_of
from okienko.api.problems import ProblemError
from okienko.api.serializers import linked
from okienko.cases import actions
from okienko.cases.models import Case, CaseAttachment, CaseNote, Priority
from okienko.cases.workflow import Status
from okienko.catalogue.models import Service
from okienko.clients.models import Client
from okienko.core import audit
from okienko.core.choices import Channel
from okienko.notifications.models import Notification


class MessageSerializer(serializers.ModelSerializer[Notification]):
    """A message to the client: what, to whom, on which channel and how its delivery went
    (``deferred``: queued again after a failed attempt)."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "uuid", "event", "channel", "recipient", "language", "subject", "status", "status_reason",
            "attempts", "created_at", "sent_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, obj: Notification) -> str:
        return "deferred" if obj.deferred else obj.status


class CaseSerializer(serializers.ModelSerializer[Case]):
    organisation = linked("code")
    service = linked("code")
    assigned_unit = linked("code")
    assigned_to = linked("uuid")
    client = linked("uuid")
    parent = linked("uuid")  # type: ignore[assignment]  # a field named like Field.parent in the stubs
    duplicate_of = linked("uuid")
    gmina: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # May be blank (""), which the e-mail and URI formats do not allow.
    reporter_email = serializers.CharField(read_only=True)
    media_url = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "uuid", "number", "organisation", "service", "description", "status", "priority", "channel",
            "client", "reporter_name", "reporter_email", "reporter_phone", "latitude", "longitude", "address",
            "gmina", "assigned_unit", "assigned_to", "response_due", "resolve_due", "resolved_at", "closed_at",
            "created_at", "updated_at", "version", "parent", "duplicate_of", "answers", "media_url",
        ]  # fmt: skip
        read_only_fields = fields


class ReporterSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class LocationSerializer(serializers.Serializer[Any]):
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    gmina_code = serializers.CharField(max_length=7, required=False, allow_blank=True)


class OpenCaseSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField(help_text="Code of the jurisdiction, e.g. lodz.")
    service = serializers.SlugField(help_text="Service code within the jurisdiction.")
    description = serializers.CharField(max_length=10000)
    channel = serializers.ChoiceField(choices=Channel.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    client = serializers.UUIDField(required=False, allow_null=True)
    reporter = ReporterSerializer(required=False)
    location = LocationSerializer(required=False)
    answers = serializers.DictField(required=False)
    media_url = serializers.URLField(required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    note_public = serializers.BooleanField(default=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text="Alternative to If-Match.")


class UpdateLocationSerializer(serializers.Serializer[Any]):
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    gmina_code = serializers.CharField(max_length=7, required=False, allow_blank=True)


class UpdateCaseSerializer(serializers.Serializer[Any]):
    """Fields a PATCH may change; members left out keep their value."""

    description = serializers.CharField(max_length=10000, required=False)
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        help_text="Supervisors only.",
    )
    location = UpdateLocationSerializer(
        required=False, help_text="Merged into the current place; send latitude and longitude null to clear the point."
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text="Alternative to If-Match.")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """Name members that cannot be changed here together with the invalid ones."""
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {name: [_("This field cannot be changed here.")] for name in unknown}
        try:
            value: dict[str, Any] = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors = {**exc.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class AssignSerializer(serializers.Serializer[Any]):
    unit = serializers.SlugField(required=False, allow_null=True, help_text="Organisation code.")
    user = serializers.UUIDField(required=False, allow_null=True, help_text="Staff member uuid.")
    version = serializers.IntegerField(required=False, min_value=1)


class NoteSerializer(serializers.ModelSerializer[CaseNote]):
    author = linked("uuid")
    public = serializers.BooleanField(write_only=True, default=False)
    unit_only = serializers.BooleanField(
        write_only=True, default=False, help_text="Readable only by staff of the unit the case is assigned to."
    )
    unit = linked("code")

    class Meta:
        model = CaseNote
        fields = ["id", "visibility", "unit", "body", "author", "created_at", "public", "unit_only"]
        read_only_fields = ["id", "visibility", "unit", "author", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer[CaseAttachment]):
    class Meta:
        model = CaseAttachment
        exclude = ["case", "file"]


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    public = serializers.BooleanField(default=False)


class CaseFilter(FilterSet):
    organisation = df.CharFilter(field_name="organisation__code")
    service = df.CharFilter(field_name="service__code")
    assigned_unit = df.CharFilter(field_name="assigned_unit__code")
    status = df.MultipleChoiceFilter(choices=Status.choices)
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields = ["organisation", "service", "assigned_unit", "status", "priority", "channel"]


def _expected_version(request: Request, body_version: int | None) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
        if tag.startswith("v") and tag[1:].isdigit():
            return int(tag[1:])
        raise ProblemError(412, _('If-Match must name a version as returned in ETag, e.g. "v3".'))
    return body_version


class CaseViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = CaseSerializer
    read_scope = Scope.CASES_READ
    write_scope = Scope.CASES_WRITE
    lookup_field = "uuid"
    denial_scope_field = "organisation"
    filterset_class = CaseFilter
    ordering_fields = ["id", "created_at", "resolve_due", "updated_at"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Any]:
        qs = Case.objects.visible_to(self.request.user).select_related(
            "organisation", "service", "assigned_unit", "assigned_to", "client", "parent", "duplicate_of"
        )
        return limit_to_token(self.request, qs)

    def _case(self, uuid: str) -> Case:
        case: Case = self.scoped_object(uuid)
        audit.record_access(self.request.user, case, organisation_id=case.organisation_id, purpose="api")
        return case

    def _answer(self, case: Case, code: int = 200) -> Response:
        case.refresh_from_db()
        data = CaseSerializer(case).data
        return Response(data, status=code, headers={"ETag": etag_for(case)})

    @extend_schema(summary="Read a case", responses=CaseSerializer)
    def retrieve(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        return with_etag(request, case, CaseSerializer(case).data)

    @extend_schema(summary="Open a case", request=OpenCaseSerializer, responses={201: CaseSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._open(request))

    def _open(self, request: Request) -> Response:
        form = OpenCaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        organisation = Organisation.objects.filter(code=data["organisation"]).first()
        token = token_of(request)
        if organisation is None or (token is not None and not organisation.is_within(token.organisation)):
            raise ProblemError(400, _("Unknown organisation."), errors={"organisation": [_("Unknown organisation.")]})
        service = Service.objects.filter(
            organisation__in=[organisation, *organisation.ancestors()], code=data["service"]
        ).first()
        if service is None:
            raise ProblemError(400, _("Unknown service."), errors={"service": [_("Unknown service.")]})
        client = None
        if data.get("client"):
            client = Client.objects.visible_to(request.user).filter(uuid=data["client"]).first()
            if client is None:
                raise ProblemError(400, _("Unknown client."), errors={"client": [_("Unknown client.")]})
        case = actions.open_case(
            actor=request.user,
            organisation=organisation,
            service=service,
            description=data["description"],
            channel=data["channel"],
            client=client,
            reporter=data.get("reporter") or None,
            location=data.get("location") or None,
            answers=data.get("answers") or None,
            priority=data.get("priority"),
            media_url=data.get("media_url") or None,
        )
        response = self._answer(case, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/cases/{case.uuid}/"
        return response

    @extend_schema(
        summary="Correct the description, priority or place",
        description=(
            "Experts and supervisors of the case may correct the description and the place; the "
            "priority is a supervisor's decision. Assignment and status have their own endpoints. "
            'Send `If-Match: "v<version>"` (or `version`) to refuse a stale write with 412.'
        ),
        request=UpdateCaseSerializer,
        responses=CaseSerializer,
    )
    def partial_update(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        form = UpdateCaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        actions.update_case(
            actor=request.user,
            case=case,
            description=data.get("description"),
            priority=data.get("priority"),
            location=data.get("location"),
            expected_version=_expected_version(request, data.get("version")),
        )
        return self._answer(case)

    @extend_schema(summary="Change the status", request=TransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expected = _expected_version(request, form.validated_data.get("version"))
        actions.transition_case(
            actor=request.user,
            case=case,
            to_status=form.validated_data["to_status"],
            note=form.validated_data.get("note") or None,
            note_public=form.validated_data["note_public"],
            expected_version=expected,
        )
        return self._answer(case)

    @extend_schema(summary="Assign to a unit and/or a person", request=AssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        unit = Organisation.objects.filter(code=data["unit"]).first() if data.get("unit") else None
        user = User.objects.filter(uuid=data["user"]).first() if data.get("user") else None
        if data.get("unit") and unit is None:
            raise ProblemError(400, _("Unknown unit."), errors={"unit": [_("Unknown unit.")]})
        if data.get("user") and user is None:
            raise ProblemError(400, _("Unknown staff member."), errors={"user": [_("Unknown staff member.")]})
        actions.assign_case(
            actor=request.user,
            case=case,
            unit=unit,
            user=user,
            expected_version=_expected_version(request, data.get("version")),
        )
        return self._answer(case)

    @extend_schema(summary="Notes of a case, or add one", request=NoteSerializer, responses=NoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def notes(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        if request.method == "POST":
            form = NoteSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            note = actions.add_note(
                actor=request.user,
                case=case,
                body=form.validated_data["body"],
                public=form.validated_data["public"],
                unit_only=form.validated_data["unit_only"],
                expected_version=_expected_version(request, None),
            )
            return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        notes = (
            CaseNote.objects.visible_to(request.user)
            .filter(case=case)
            .select_related("author", "unit")
            .order_by("created_at", "id")
        )
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(
        summary="Messages sent to the client about a case, with their delivery status",
        responses=MessageSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def messages(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        sent = Notification.objects.for_case(case).defer("body_html", "body_text")[:200]
        return Response(MessageSerializer(sent, many=True).data)

    @extend_schema(
        summary="Attachments of a case, or upload one (multipart)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses=AttachmentSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request: Request, uuid: str) -> Response:
        case = self._case(uuid)
        if request.method == "POST":
            form = AttachmentUploadSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            upload = form.validated_data["file"]
            attachment = actions.add_attachment(
                actor=request.user,
                case=case,
                name=upload.name or "file",
                data=upload.read(),
                public=form.validated_data["public"],
            )
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        items = CaseAttachment.objects.filter(case=case).order_by("id")
        return Response(AttachmentSerializer(items, many=True).data)

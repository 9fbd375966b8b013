"""Kontraktor over REST (issue 17, ADR 0061): contracts, participants, activation events,
placements, tranche lines and settlements, data-sharing requests.

Every read and write goes through the domain (``contracting.access``, ``actions``, ``sharing``,
``settlement``), so the API has the desk's scope rules: an agency sees only its contracts, the
participants a flowing request covers and only the approved fields (read through
``access.read_registry_data``, every read in the access log); an office sees its PUP's contracts
and its own registry data. A participant is named by its pseudonymous ``ref`` (never a database
id or PESEL); a tranche line by the participant's ``ref`` and the tranche's order.

Refusals are problem details with a stable ``reason`` (``shared-data-refused``, ``claim-refused``).
The domain writes refusals to the access log and the audit log before raising, so writes use
``idempotency.idempotent_committed`` (no transaction around the action) and no view wraps a
read in a transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.idempotency import idempotent_committed
from okienko.api.models import Scope
from okienko.api.pagination import ApiCursorPagination
from okienko.api.parsers import JSONParser
from okienko.api.permissions import TokenScopes, token_of
from okienko.api.problems import ProblemError
from okienko.api.serializers import linked
from okienko.api.throttling import TokenRateThrottle
from okienko.contracting import access, actions, settlement, sharing
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    ContractMessage,
    DataSharingRequest,
    Direction,
    Participant,
    Placement,
    Settlement,
    SharingPurpose,
    TrancheLine,
)
from okienko.contracting.registry import access as registry_access
from okienko.contracting.sources import PERSON_FIELDS, person_fields
from okienko.contracting.states import (
    AGENCY,
    CONTRACT_DATA_FLOWS,
    OFFICE,
    SYSTEM,
    ContractStatus,
    ExitReason,
    ParticipantStatus,
    TrancheStatus,
)
from okienko.core.errors import NotFound
from okienko.core.ids import parse_uuid

PREFIX = "/api/v1/contracting/contracts/"
TS = TrancheStatus


# --- Serializers ----------------------------------------------------------------------------------


class MoneySerializer(serializers.Serializer[Any]):
    amount = serializers.CharField(help_text="A decimal number as a string, e.g. 1500.00.")
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. PLN.")


def money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


class ContractSerializer(serializers.ModelSerializer[Contract]):
    office = linked("code")
    agency = linked("code")
    region_office = linked("code")
    tranche_scheme = linked("code")
    status = serializers.CharField(read_only=True, help_text="draft, signed, active, suspended, ended, …")
    price_per_participant = serializers.SerializerMethodField()
    sides = serializers.SerializerMethodField(help_text="The caller's sides of the contract: office, agency.")

    class Meta:
        model = Contract
        fields = [
            "uuid", "number", "title", "office", "agency", "region_office", "legal_basis", "procurement_reference",
            "start_date", "end_date", "planned_participants", "indicators", "price_per_participant",
            "tranche_scheme", "agency_role", "end_policy", "status", "sides", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_price_per_participant(self, obj: Contract) -> dict[str, str]:
        return money(obj.price_per_participant, obj.currency)

    def get_sides(self, obj: Contract) -> list[str]:
        request = self.context.get("request")
        return sorted(access.sides_of(request.user, obj) - {SYSTEM}) if request is not None else []


class ContractTransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=ContractStatus.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    status = serializers.CharField(read_only=True)
    exit_reason = serializers.CharField(read_only=True)

    class Meta:
        model = Participant
        fields = ["ref", "status", "exit_reason", "referral_date", "nominated_at", "updated_at"]
        read_only_fields = fields


class ParticipantTransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=ParticipantStatus.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    exit_reason = serializers.ChoiceField(
        choices=[c for c in ExitReason.choices if c[0]], required=False, help_text="For a side exit."
    )


class SharedPackageSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField()
    request = serializers.UUIDField()
    message_id = serializers.UUIDField()
    sent_at = serializers.DateTimeField()
    valid_until = serializers.DateField()


class ParticipantDetailSerializer(ParticipantSerializer):
    view = serializers.CharField(
        read_only=True, help_text="office: the office's own registry data; shared: what a request let through."
    )
    data = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.data in the stubs
        read_only=True, help_text="Field code → value (only approved fields when shared)."
    )
    shared = SharedPackageSerializer(read_only=True, allow_null=True, help_text="The package read (shared view).")

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "view", "data", "shared"]
        read_only_fields = fields


class EvidenceSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    type = serializers.CharField()
    size = serializers.IntegerField()


class EventSerializer(serializers.ModelSerializer[ActivationEvent]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    participant = serializers.CharField(source="participant.ref", read_only=True)
    type = serializers.CharField(read_only=True)
    placement = linked("uuid")
    institution = linked("code")
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = ActivationEvent
        fields = ["id", "participant", "type", "occurred_at", "details", "placement", "institution", "recorded_at",
                  "evidence"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj: ActivationEvent) -> list[dict[str, Any]]:
        return [e.as_payload() for e in obj.evidence.all()]


class RecordEventSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=ActivationEvent.Type.choices)
    occurred_at = serializers.DateTimeField()
    details = serializers.JSONField(
        required=False,
        help_text="An object (in multipart: as JSON text); a training has hours_planned and hours_attended.",
    )
    file = serializers.FileField(required=False, help_text="Evidence (multipart only): PDF, image, …")

    def validate_details(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError(_("Give the details as an object.")) from None
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Give the details as an object."))
        return value


class RecordCheckSerializer(serializers.Serializer[Any]):
    employed = serializers.BooleanField(help_text="Still employed at the checkpoint?")
    details = serializers.JSONField(required=False, help_text="An object (in multipart: as JSON text).")
    file = serializers.FileField(required=False, help_text="Evidence (multipart only), e.g. a ZUS confirmation.")

    validate_details = RecordEventSerializer.validate_details


class RetentionCheckSerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField()
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    employed = serializers.BooleanField(allow_null=True)


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    participant = serializers.CharField(source="participant.ref", read_only=True)
    contract_type = serializers.CharField(read_only=True)
    verified_by = serializers.CharField(read_only=True)
    working_time = serializers.DecimalField(max_digits=4, decimal_places=3, read_only=True)
    retention_checks = RetentionCheckSerializer(many=True, read_only=True)
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id", "participant", "employer_nip", "employer_name", "position", "occupation_code",
            "occupation_edition", "contract_type", "working_time", "start_date", "end_date", "verified_by",
            "ended_early", "retention_checks", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class RecordPlacementSerializer(serializers.Serializer[Any]):
    employer_nip = serializers.CharField(max_length=20)
    employer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=200)
    occupation_code = serializers.CharField(max_length=10, help_text="KZiS code (6 digits).")
    occupation_edition = serializers.CharField(max_length=10, required=False, default="2023")
    contract_type = serializers.ChoiceField(choices=Placement.ContractType.choices)
    working_time = serializers.DecimalField(
        max_digits=4, decimal_places=3, help_text="Fraction of full time, more than 0 and at most 1."
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    verified_by = serializers.ChoiceField(choices=Placement.Verification.choices)


class TrancheSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    name = serializers.CharField()
    trigger = serializers.CharField()
    minimum_days = serializers.IntegerField()
    evidence_required = serializers.BooleanField()


class TrancheLineSerializer(serializers.ModelSerializer[TrancheLine]):
    participant = serializers.CharField(source="participant.ref", read_only=True)
    tranche = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    amount = serializers.SerializerMethodField()
    settlement = linked("uuid")

    class Meta:
        model = TrancheLine
        fields = ["participant", "tranche", "status", "amount", "trigger_date", "eligible_on", "settlement", "note",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(TrancheSerializer)
    def get_tranche(self, obj: TrancheLine) -> dict[str, Any]:
        d = obj.definition
        return {
            "order": d.order,
            "name": d.name,
            "trigger": d.trigger,
            "minimum_days": d.minimum_days,
            "evidence_required": d.evidence_required,
        }

    @extend_schema_field(MoneySerializer)
    def get_amount(self, obj: TrancheLine) -> dict[str, str]:
        return money(obj.amount, obj.currency)


class TrancheRefSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    name = serializers.CharField()


class VerifySerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SettlementSerializer(serializers.ModelSerializer[Settlement]):
    corrects = linked("uuid")
    status = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    total = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField(help_text="How many tranche lines it holds.")

    class Meta:
        model = Settlement
        fields = ["uuid", "period_start", "period_end", "kind", "corrects", "status", "total", "invoice_reference",
                  "lines", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_total(self, obj: Settlement) -> dict[str, str]:
        return money(obj.total, obj.currency)

    def get_lines(self, obj: Settlement) -> int:
        return int(getattr(obj, "line_count", None) or obj.lines.count())


class DisputeSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the rejection is wrong (required).",
    )


class SettlementLineSerializer(serializers.ModelSerializer[TrancheLine]):
    participant = serializers.CharField(source="participant.ref", read_only=True)
    tranche = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    amount = serializers.SerializerMethodField()

    class Meta:
        model = TrancheLine
        fields = ["participant", "tranche", "status", "amount", "eligible_on"]
        read_only_fields = fields

    @extend_schema_field(TrancheRefSerializer)
    def get_tranche(self, obj: TrancheLine) -> dict[str, Any]:
        return {"order": obj.definition.order, "name": obj.definition.name}

    @extend_schema_field(MoneySerializer)
    def get_amount(self, obj: TrancheLine) -> dict[str, str]:
        return money(obj.amount, obj.currency)


class SettlementDetailSerializer(SettlementSerializer):
    note = serializers.CharField(read_only=True, help_text="Why the office returned it (the last return).")
    totals = serializers.SerializerMethodField(help_text="The amounts of its lines per line status.")
    items = serializers.SerializerMethodField(help_text="Its tranche lines.")

    class Meta(SettlementSerializer.Meta):
        fields = [*SettlementSerializer.Meta.fields, "note", "totals", "items"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=MoneySerializer()))
    def get_totals(self, obj: Settlement) -> dict[str, dict[str, str]]:
        rows = obj.lines.values("status").annotate(total=Sum("amount")).order_by("status")
        return {row["status"]: money(Decimal(row["total"]), obj.currency) for row in rows}

    @extend_schema_field(SettlementLineSerializer(many=True))
    def get_items(self, obj: Settlement) -> Any:
        lines = obj.lines.select_related("participant", "definition").order_by("participant_id", "definition__order")
        return SettlementLineSerializer(lines, many=True).data


class OpenSettlementSerializer(serializers.Serializer[Any]):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    corrects = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="An accepted or paid settlement to correct."
    )


class SubmitSettlementSerializer(serializers.Serializer[Any]):
    invoice_reference = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default="", help_text="The invoice's number (required)."
    )


class ReturnSettlementSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="What to correct (required)."
    )


class ContractMessageSerializer(serializers.ModelSerializer[ContractMessage]):
    id = serializers.UUIDField(source="message_id", read_only=True)
    sender = linked("code")
    recipient = linked("code")
    author = serializers.CharField(source="author_repr", read_only=True)

    class Meta:
        model = ContractMessage
        fields = ["id", "participant_ref", "sender", "recipient", "author", "body", "sent_at", "read_at"]
        read_only_fields = fields


class SendContractMessageSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default="", help_text="At most 10,000 characters."
    )
    participant_ref = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", help_text="About one participant (optional)."
    )


class MarkReadSerializer(serializers.Serializer[Any]):
    messages = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=500,
        help_text="The messages to mark (ids); without it, every unread message addressed to the caller.",
    )
    participant_ref = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", help_text="Only the thread of one participant."
    )


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class SharingRequestSerializer(serializers.ModelSerializer[DataSharingRequest]):
    direction = serializers.CharField(read_only=True)
    requester = linked("code")
    approver = linked("code")
    purpose = linked("code")
    status = serializers.CharField(read_only=True)
    participants = serializers.SerializerMethodField(help_text="Participant references.")
    requested_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    approved_fields = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DataSharingRequest
        fields = [
            "uuid", "direction", "requester", "approver", "purpose", "legal_basis", "requested_fields",
            "approved_fields", "participants", "valid_from", "valid_until", "status", "decision_note",
            "created_at", "submitted_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_participants(self, obj: DataSharingRequest) -> list[str]:
        return sorted(p.ref for p in obj.participants.all())


class CreateSharingRequestSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=Direction.choices)
    purpose = serializers.SlugField(max_length=60, help_text="Code of a sharing purpose, e.g. activation.")
    fields = serializers.ListField(  # type: ignore[assignment]  # a field named like Serializer.fields in the stubs
        child=serializers.SlugField(max_length=40), min_length=1, max_length=100
    )
    participants = serializers.ListField(
        child=serializers.CharField(max_length=18), min_length=1, max_length=1000, help_text="Participant references."
    )
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    legal_basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(default=True, help_text="Send to the data owner at once (else a draft).")


class DecideSharingRequestSerializer(serializers.Serializer[Any]):
    approved_fields = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        max_length=100,
        help_text="All requested fields (approval), a subset (partial) or none (rejection).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- Views ----------------------------------------------------------------------------------------


def visible(request: Request) -> QuerySet[Contract]:
    """The contracts the caller is a side of, limited to the token's organisation subtree."""
    contracts = access.visible_contracts(request.user)
    token = token_of(request)
    if token is not None:
        path = token.organisation.path
        contracts = contracts.filter(
            Q(office__path__startswith=path)
            | Q(agency__path__startswith=path)
            | Q(region_office__path__startswith=path)
        )
    return contracts


class ContractingView(GenericAPIView):  # type: ignore[type-arg]  # DRF's GenericAPIView is generic only in the stubs
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination
    parser_classes = [JSONParser]
    read_scope = Scope.CONTRACTING_READ
    write_scope = Scope.CONTRACTING_WRITE

    def contract(self) -> Contract:
        """The contract named in the URL (404, audited, outside the caller's scope)."""
        contract = access.access_contract(self.request.user, self.kwargs["contract_uuid"])
        if not visible(self.request).filter(pk=contract.pk).exists():
            raise NotFound
        return contract

    def participant(self, contract: Contract) -> Participant:
        return access.access_participant(self.request.user, contract, str(self.kwargs["ref"])[:18])

    def page(self, queryset: QuerySet[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Response:
        rows = self.paginate_queryset(queryset)
        data = serializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def form(self, serializer: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        form = serializer(data=self.request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    def write(self, work: Callable[[], Response]) -> Response:
        return idempotent_committed(self.request, work)

    def perform(self, step: Callable[[], object], answer: Callable[[], Response]) -> Response:
        """One action endpoint: the domain ``step`` (idempotently; a refusal it logs stays logged),
        then ``answer`` with the object read again."""

        def work() -> Response:
            step()
            return answer()

        return self.write(work)


def created(body: Any, location: str) -> Response:
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


def with_evidence(request: Request, upload: Any, record: Callable[[], ActivationEvent]) -> ActivationEvent:
    """Record an event and attach the uploaded evidence to it, both or neither."""
    with transaction.atomic():
        event = record()
        if upload is not None:
            actions.attach_evidence(actor=request.user, event=event, data=upload.read(), name=upload.name or "")
    return event


def shared_package(view: Any) -> dict[str, Any]:
    """The package a shared read came from (``access.SharedView``)."""
    return {
        "purpose": view.purpose,
        "request": view.request_uuid,
        "message_id": view.message_id,
        "sent_at": view.sent_at,
        "valid_until": view.valid_until,
    }


class ListSchema(AutoSchema):
    """GET answers a cursor-paginated list (the view is not a DRF list mixin)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return self.method == "GET"


def _contract_param() -> OpenApiParameter:
    return OpenApiParameter("contract_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ContractListView(ContractingView):
    serializer_class = ContractSerializer
    schema = ListSchema()

    @extend_schema(summary="Contracts the caller is a side of (office or agency)", tags=["contracting"])
    def get(self, request: Request) -> Response:
        contracts = visible(request).select_related("office", "agency", "region_office", "tranche_scheme")
        wanted = request.query_params.get("status", "")
        if wanted:
            contracts = contracts.filter(status=wanted)
        return self.page(contracts, ContractSerializer)


class ContractDetailView(ContractingView):
    serializer_class = ContractSerializer

    @extend_schema(summary="Read a contract", parameters=[_contract_param()], tags=["contracting"])
    def get(self, request: Request, contract_uuid: str) -> Response:
        return Response(ContractSerializer(self.contract(), context={"request": request}).data)


class ContractTransitionView(ContractingView):
    serializer_class = ContractSerializer

    @extend_schema(
        summary="Move a contract along its state machine (office side)",
        request=ContractTransitionSerializer,
        responses=ContractSerializer,
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE)
        data = self.form(ContractTransitionSerializer)

        def answer() -> Response:
            contract.refresh_from_db()
            return Response(ContractSerializer(contract, context={"request": request}).data)

        return self.perform(
            lambda: actions.change_contract_status(
                actor=request.user, contract=contract, to=data["to_status"], note=data["note"]
            ),
            answer,
        )


class ParticipantListView(ContractingView):
    serializer_class = ParticipantSerializer
    schema = ListSchema()

    @extend_schema(
        summary="Participants of a contract",
        description=(
            "The office sees every participant it nominated; the agency only those a data-sharing "
            "request that flows today covers (references and statuses; data per participant)."
        ),
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, OFFICE, AGENCY)
        if side == OFFICE:
            rows = access.office_participants(request.user, contract)
        else:
            rows = access.agency_participants(request.user, contract)
        return self.page(rows, ParticipantSerializer)


def _ref_param() -> OpenApiParameter:
    return OpenApiParameter("ref", OpenApiTypes.STR, OpenApiParameter.PATH, description="Participant reference.")


def _fields_param(value: str) -> list[str] | None:
    if not value:
        return None
    return [f.strip()[:40] for f in value.split(",") if f.strip()][:100]


class ParticipantDetailView(ContractingView):
    serializer_class = ParticipantDetailSerializer

    @extend_schema(
        summary="A participant: the office's own data, or the agency's shared view",
        description=(
            "For the office, its registry data of the person (the read is logged). For the agency, "
            "only the fields an approved request let through, read from the newest package (the read "
            "is in the access log). Refused with 403 `shared-data-refused` and a `reason` "
            "(contract_not_running, no_request, outside_validity, wrong_purpose, field_out_of_scope)."
        ),
        parameters=[
            _contract_param(),
            _ref_param(),
            OpenApiParameter("fields", OpenApiTypes.STR, description="Comma-separated field codes (agency)."),
            OpenApiParameter("purpose", OpenApiTypes.STR, description="Purpose code the data must be shared for."),
        ],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, OFFICE, AGENCY)
        ref = ref[:18]
        fields = _fields_param(request.query_params.get("fields", ""))
        purpose = request.query_params.get("purpose", "")[:60] or None
        if side == AGENCY and contract.status not in CONTRACT_DATA_FLOWS:
            # refused with the reason (and logged) before the reference is even looked up
            access.read_registry_data(request.user, contract, ref, fields=fields, purpose=purpose)
        participant = self.participant(contract)
        body = ParticipantSerializer(participant).data
        if side == OFFICE:
            # the PUP's own registry; a WUP on the office side of a three-party contract reads none
            registered = participant.person
            person = (
                registry_access.person(request.user, registered.pk, purpose="api")
                if registered is not None and registry_access.may_import(request.user, registered.office)
                else None
            )
            data = person_fields(person, fields or PERSON_FIELDS) if person is not None else {}
            return Response({**body, "view": "office", "data": data, "shared": None})
        view = access.read_registry_data(request.user, contract, participant.ref, fields=fields, purpose=purpose)
        return Response({**body, "view": "shared", "data": view.fields, "shared": shared_package(view)})


class ParticipantTransitionView(ContractingView):
    serializer_class = ParticipantSerializer

    @extend_schema(
        summary="Move a participant along its state machine",
        description=(
            "Who may do which step is the domain's table (CONTRACTING.md): the office refers "
            "(`referred`, the referral dated today), the agency admits, agrees the plan, activates; "
            "either side records a side exit with its `exit_reason`."
        ),
        request=ParticipantTransitionSerializer,
        responses=ParticipantSerializer,
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        participant = self.participant(contract)
        data = self.form(ParticipantTransitionSerializer)

        def step() -> None:
            if data["to_status"] == ParticipantStatus.REFERRED:
                actions.refer(actor=request.user, participant=participant)
            else:
                actions.change_participant_status(
                    actor=request.user,
                    participant=participant,
                    to=data["to_status"],
                    note=data["note"],
                    exit_reason=data.get("exit_reason", ""),
                )

        def answer() -> Response:
            participant.refresh_from_db()
            return Response(ParticipantSerializer(participant).data)

        return self.perform(step, answer)


class AgencyRecordsView(ContractingView):
    serializer_class = ParticipantDetailSerializer

    @extend_schema(
        summary="The agency's records of a participant, as shared with the office",
        description="Only through a request the agency accepted (403 `shared-data-refused` otherwise); logged.",
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE)
        participant = self.participant(contract)
        view = access.read_agency_records(request.user, contract, participant.ref)
        body = ParticipantSerializer(participant).data
        return Response({**body, "view": "shared", "data": view.fields, "shared": shared_package(view)})


class EventListView(ContractingView):
    serializer_class = EventSerializer
    schema = ListSchema()
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Activation events the caller's institution recorded for a participant",
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        participant = self.participant(contract)
        rows = access.own_events(request.user, participant).select_related("participant", "placement", "institution")
        return self.page(rows.prefetch_related("evidence"), EventSerializer)

    @extend_schema(
        summary="Record an activation event (JSON, or multipart with optional evidence)",
        request={"application/json": RecordEventSerializer, "multipart/form-data": RecordEventSerializer},
        responses={201: EventSerializer},
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        participant = self.participant(contract)
        data = self.form(RecordEventSerializer)

        def work() -> Response:
            event = with_evidence(
                request,
                data.get("file"),
                lambda: actions.record_event(
                    actor=request.user,
                    participant=participant,
                    type=data["type"],
                    occurred_at=data["occurred_at"],
                    details=data.get("details") or {},
                ),
            )
            return created(
                EventSerializer(event).data, f"{PREFIX}{contract.uuid}/participants/{participant.ref}/events/"
            )

        return self.write(work)


class PlacementListView(ContractingView):
    serializer_class = PlacementSerializer
    schema = ListSchema()

    @extend_schema(
        summary="Placements the caller's institution recorded for a participant",
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        participant = self.participant(contract)
        institutions = [
            i.pk for s in access.sides_of(request.user, contract) if (i := access.institution_for(s, contract))
        ]
        rows = participant.placements.filter(institution_id__in=institutions).select_related("participant")
        return self.page(rows.prefetch_related("retention_checks"), PlacementSerializer)

    @extend_schema(
        summary="Record a placement in work (agency side); employment checks are scheduled",
        request=RecordPlacementSerializer,
        responses={201: PlacementSerializer},
        parameters=[_contract_param(), _ref_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str) -> Response:
        contract = self.contract()
        participant = self.participant(contract)
        data = self.form(RecordPlacementSerializer)

        def work() -> Response:
            placement = actions.record_placement(actor=request.user, participant=participant, **data)
            location = f"{PREFIX}{contract.uuid}/participants/{participant.ref}/placements/"
            return created(PlacementSerializer(placement).data, location)

        return self.write(work)


class RetentionCheckView(ContractingView):
    serializer_class = EventSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Record an employment check of a placement (agency side), optionally with evidence",
        description=(
            "Not before the check is due (409 with the date). Employed: the participant moves to "
            "the matching retained status; not employed: the placement ended early."
        ),
        request={"application/json": RecordCheckSerializer, "multipart/form-data": RecordCheckSerializer},
        responses={201: EventSerializer},
        parameters=[
            _contract_param(),
            _ref_param(),
            OpenApiParameter("placement_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH),
            OpenApiParameter("days", OpenApiTypes.INT, OpenApiParameter.PATH, description="The checkpoint, e.g. 90."),
        ],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str, placement_uuid: str, days: int) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, AGENCY)
        participant = self.participant(contract)
        placement = participant.placements.filter(uuid=placement_uuid, institution=contract.agency).first()
        check = placement.retention_checks.filter(days=days).first() if placement and 0 < days < 100_000 else None
        if check is None:
            raise NotFound
        data = self.form(RecordCheckSerializer)

        def work() -> Response:
            event = with_evidence(
                request,
                data.get("file"),
                lambda: actions.record_retention_check(
                    actor=request.user, check=check, employed=data["employed"], details=data.get("details") or {}
                ),
            )
            return created(
                EventSerializer(event).data, f"{PREFIX}{contract.uuid}/participants/{participant.ref}/events/"
            )

        return self.write(work)


def agency_lines(user: Any, contract: Contract) -> QuerySet[TrancheLine]:
    """The lines of the participants the agency works with: covered by a flowing request today or
    with an event the agency recorded (so claims go on after the data stopped flowing)."""
    known = access.agency_participants(user, contract).values("pk")
    worked = Q(participant__events__institution=contract.agency)
    return TrancheLine.objects.filter(Q(participant__in=known) | worked, participant__contract=contract).distinct()


class TrancheLineListView(ContractingView):
    serializer_class = TrancheLineSerializer
    schema = ListSchema()

    @extend_schema(
        summary="Tranche lines (participant × tranche) with amounts in the contract's currency",
        parameters=[
            _contract_param(),
            OpenApiParameter("status", OpenApiTypes.STR, enum=TrancheStatus.values, required=False),
        ],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, OFFICE, AGENCY)
        if side == OFFICE:
            rows = TrancheLine.objects.filter(participant__contract=contract)
        else:
            rows = agency_lines(request.user, contract)
        wanted = request.query_params.get("status", "")
        if wanted:
            rows = rows.filter(status=wanted)
        return self.page(rows.select_related("participant", "definition", "settlement"), TrancheLineSerializer)


def _line_params() -> list[OpenApiParameter]:
    return [
        _contract_param(),
        _ref_param(),
        OpenApiParameter("order", OpenApiTypes.INT, OpenApiParameter.PATH, description="The tranche's order."),
    ]


class TrancheLineView(ContractingView):
    serializer_class = TrancheLineSerializer

    def line(self, contract: Contract, side: str) -> TrancheLine:
        if not 0 < int(self.kwargs["order"]) <= 32767:  # a tranche's order is a small number
            raise NotFound
        rows = (
            TrancheLine.objects.filter(participant__contract=contract)
            if side == OFFICE
            else agency_lines(self.request.user, contract)
        )
        line = (
            rows.select_related("participant__contract", "definition")
            .filter(participant__ref=str(self.kwargs["ref"])[:18], definition__order=self.kwargs["order"])
            .first()
        )
        if line is None:
            raise NotFound
        return line

    def answer(self, line: TrancheLine) -> Response:
        line.refresh_from_db()
        return Response(TrancheLineSerializer(line).data)


class ClaimView(TrancheLineView):
    @extend_schema(
        summary="Claim an eligible tranche (agency side)",
        description=(
            "Refused with 409 `claim-refused` and a `reason` (trigger_missing, minimum_days, "
            "not_confirmed, not_eligible, evidence_missing); the refusal is audited."
        ),
        request=None,
        responses=TrancheLineSerializer,
        parameters=_line_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str, order: int) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, AGENCY)
        line = self.line(contract, side)
        return self.perform(lambda: settlement.claim_tranche(actor=request.user, line=line), lambda: self.answer(line))


class VerifyView(TrancheLineView):
    @extend_schema(
        summary="Decide a claim (office side): approve, or reject with a note",
        request=VerifySerializer,
        responses=TrancheLineSerializer,
        parameters=_line_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str, order: int) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, OFFICE)
        line = self.line(contract, side)
        data = self.form(VerifySerializer)

        def step() -> None:
            with transaction.atomic():
                if line.status == TS.CLAIMED:
                    settlement.verify_claim(actor=request.user, line=line)
                if data["decision"] == "approve":
                    settlement.approve_claim(actor=request.user, line=line, note=data["note"])
                else:
                    settlement.reject_claim(actor=request.user, line=line, note=data["note"])

        return self.perform(step, lambda: self.answer(line))


class SettlementListView(ContractingView):
    serializer_class = SettlementSerializer
    schema = ListSchema()

    @extend_schema(summary="Settlements of a contract with their totals", parameters=[_contract_param()],
                   tags=["contracting"])  # fmt: skip
    def get(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        rows = contract.settlements.select_related("corrects").annotate(line_count=Count("lines"))
        return self.page(rows, SettlementSerializer)

    @extend_schema(
        summary="Open the settlement of a period (agency side) with its approved, unsettled lines",
        description=(
            "Takes every approved line not yet settled whose tranche became due in the period. A "
            "period has one regular settlement (409); `corrects` names an accepted or paid one to "
            "correct (its period is used)."
        ),
        request=OpenSettlementSerializer,
        responses={201: SettlementDetailSerializer},
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, AGENCY)
        data = self.form(OpenSettlementSerializer)
        corrects = None
        if data["corrects"] is not None:
            corrects = contract.settlements.filter(uuid=data["corrects"]).first()
            if corrects is None:
                message = _("No such settlement on this contract.")
                raise ProblemError(400, message, errors={"corrects": [message]})

        def work() -> Response:
            opened = settlement.open_settlement(
                actor=request.user,
                contract=contract,
                period_start=data["period_start"],
                period_end=data["period_end"],
                corrects=corrects,
            )
            return created(
                SettlementDetailSerializer(opened).data, f"{PREFIX}{contract.uuid}/settlements/{opened.uuid}/"
            )

        return self.write(work)


def _settlement_params() -> list[OpenApiParameter]:
    return [_contract_param(), OpenApiParameter("settlement_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)]


class SettlementView(ContractingView):
    serializer_class = SettlementDetailSerializer

    def settlement(self, contract: Contract) -> Settlement:
        key = parse_uuid(self.kwargs["settlement_uuid"])
        found = contract.settlements.select_related("corrects").filter(uuid=key).first() if key else None
        if found is None:
            raise NotFound
        found.contract = contract
        return found

    def answer(self, found: Settlement) -> Response:
        found.refresh_from_db()
        return Response(SettlementDetailSerializer(found).data)

    def act(self, side: str, step: Callable[[Settlement], object]) -> Response:
        """A step of the settlement's machine by ``side`` (403 for the other side, 409 out of order)."""
        contract = self.contract()
        access.require_side(self.request.user, contract, side)
        found = self.settlement(contract)
        return self.perform(lambda: step(found), lambda: self.answer(found))


class SettlementDetailView(SettlementView):
    @extend_schema(
        summary="A settlement with its lines and their totals per status",
        parameters=_settlement_params(),
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str, settlement_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        return Response(SettlementDetailSerializer(self.settlement(contract)).data)


class SubmitSettlementView(SettlementView):
    @extend_schema(
        summary="Submit an open settlement with the invoice (agency side): its lines are invoiced",
        request=SubmitSettlementSerializer,
        responses=SettlementDetailSerializer,
        parameters=_settlement_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, settlement_uuid: str) -> Response:
        data = self.form(SubmitSettlementSerializer)
        return self.act(
            AGENCY,
            lambda found: settlement.submit_settlement(
                actor=request.user, settlement=found, invoice_reference=data["invoice_reference"]
            ),
        )


class ReturnSettlementView(SettlementView):
    @extend_schema(
        summary="Return a submitted settlement for corrections (office side), saying what to correct",
        request=ReturnSettlementSerializer,
        responses=SettlementDetailSerializer,
        parameters=_settlement_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, settlement_uuid: str) -> Response:
        data = self.form(ReturnSettlementSerializer)
        return self.act(
            OFFICE, lambda found: settlement.return_settlement(actor=request.user, settlement=found, note=data["note"])
        )


class AcceptSettlementView(SettlementView):
    @extend_schema(
        summary="Accept a submitted settlement (office side)",
        request=None,
        responses=SettlementDetailSerializer,
        parameters=_settlement_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, settlement_uuid: str) -> Response:
        return self.act(OFFICE, lambda found: settlement.accept_settlement(actor=request.user, settlement=found))


class PaySettlementView(SettlementView):
    @extend_schema(
        summary="Record the payment of an accepted settlement (office side): its lines are paid",
        request=None,
        responses=SettlementDetailSerializer,
        parameters=_settlement_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, settlement_uuid: str) -> Response:
        return self.act(OFFICE, lambda found: settlement.pay_settlement(actor=request.user, settlement=found))


# --- Messages -------------------------------------------------------------------------------------


class ContractMessagePagination(ApiCursorPagination):
    """A page of a contract's thread (newest first) with the caller's unread count."""

    unread = 0

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread"] = self.unread
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["unread"] = {
            "type": "integer",
            "description": "Messages addressed to the caller's institution not read yet (the whole contract).",
        }
        return answer


def _participant_ref_param() -> OpenApiParameter:
    return OpenApiParameter(
        "participant_ref", OpenApiTypes.STR, required=False, description="One participant's thread."
    )


def thread_of(request: Request, contract: Contract, ref: str) -> str:
    """The participant reference of a thread, checked as the desk does (404, audited, outside the
    caller's scope)."""
    ref = ref[:18]
    if ref:
        access.access_participant(request.user, contract, ref)
    return ref


class MessageListView(ContractingView):
    serializer_class = ContractMessageSerializer
    schema = ListSchema()
    pagination_class = ContractMessagePagination

    @extend_schema(
        summary="The thread of a contract between the office and the agency (newest first)",
        description="Reading does not mark the messages read (`messages/read/` does); `unread` counts them.",
        parameters=[_contract_param(), _participant_ref_param()],
        tags=["contracting"],
    )
    def get(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        ref = thread_of(request, contract, request.query_params.get("participant_ref", ""))
        rows = contract.messages.select_related("sender", "recipient")
        if ref:
            rows = rows.filter(participant_ref=ref)
        self.paginator.unread = actions.unread_count(actor=request.user, contract=contract)  # type: ignore[union-attr]  # ContractMessagePagination
        return self.page(rows, ContractMessageSerializer)

    @extend_schema(
        summary="Write to the other side of the contract (optionally about one participant)",
        request=SendContractMessageSerializer,
        responses={201: ContractMessageSerializer},
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        data = self.form(SendContractMessageSerializer)
        ref = thread_of(request, contract, data["participant_ref"])

        def work() -> Response:
            message = actions.send_message(
                actor=request.user, contract=contract, body=data["body"], participant_ref=ref
            )
            return created(ContractMessageSerializer(message).data, f"{PREFIX}{contract.uuid}/messages/")

        return self.write(work)


class MarkReadView(ContractingView):
    serializer_class = MarkedSerializer
    schema = AutoSchema()

    @extend_schema(
        summary="Mark messages addressed to the caller's institution as read",
        request=MarkReadSerializer,
        responses=MarkedSerializer,
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        data = self.form(MarkReadSerializer)
        ref = thread_of(request, contract, data["participant_ref"])
        rows = contract.messages.filter(read_at__isnull=True)
        if ref:
            rows = rows.filter(participant_ref=ref)
        if "messages" in data:
            rows = rows.filter(message_id__in=data["messages"])

        def work() -> Response:
            marked = actions.mark_read(actor=request.user, contract=contract, messages=list(rows))
            return Response({"marked": marked, "unread": actions.unread_count(actor=request.user, contract=contract)})

        return self.write(work)


class DisputeView(TrancheLineView):
    @extend_schema(
        summary="Dispute a rejected claim (agency side), saying why",
        description=(
            "Only a rejected line is disputed (409 `transition-not-allowed` otherwise); the note is "
            "required (400). The office then decides it again through `verify/`."
        ),
        request=DisputeSerializer,
        responses=TrancheLineSerializer,
        parameters=_line_params(),
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, ref: str, order: int) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, AGENCY)
        line = self.line(contract, side)
        data = self.form(DisputeSerializer)
        return self.perform(
            lambda: settlement.dispute_claim(actor=request.user, line=line, note=data["note"]),
            lambda: self.answer(line),
        )


def _request_param() -> OpenApiParameter:
    return OpenApiParameter("request_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class SharingRequestListView(ContractingView):
    serializer_class = SharingRequestSerializer
    schema = ListSchema()

    @extend_schema(summary="Data-sharing requests of a contract", parameters=[_contract_param()], tags=["contracting"])
    def get(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        access.require_side(request.user, contract, OFFICE, AGENCY)
        rows = contract.sharing_requests.select_related("requester", "approver", "purpose").prefetch_related(
            "participants"
        )
        return self.page(rows, SharingRequestSerializer)

    @extend_schema(
        summary="Propose a data-sharing request (the requester)",
        description=(
            "The office offers its registry data or asks for the agency's records; the agency asks "
            "to see more of the participants it already works with. Fields outside the purpose's "
            "allow-list are refused (400) and the refusal is in the access log."
        ),
        request=CreateSharingRequestSerializer,
        responses={201: SharingRequestSerializer},
        parameters=[_contract_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str) -> Response:
        contract = self.contract()
        side = access.require_side(request.user, contract, OFFICE, AGENCY)
        data = self.form(CreateSharingRequestSerializer)
        purpose = SharingPurpose.objects.filter(code=data["purpose"]).first()
        if purpose is None:
            raise ProblemError(400, _("Unknown purpose."), errors={"purpose": [_("Unknown purpose.")]})
        refs = sorted(set(data["participants"]))
        pool = (
            contract.participants.all()
            if side == OFFICE
            else Participant.objects.filter(pk__in=access.agency_participants(request.user, contract).values("pk"))
        )
        chosen = list(pool.filter(ref__in=refs))
        if len(chosen) != len(refs):
            message = _("Unknown participant references on this contract.")
            raise ProblemError(400, message, errors={"participants": [message]})

        def work() -> Response:
            made = sharing.create_request(
                actor=request.user,
                contract=contract,
                direction=data["direction"],
                purpose=purpose,
                fields=data["fields"],
                participants=chosen,
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                legal_basis=data["legal_basis"],
                submit=data["submit"],
            )
            return created(SharingRequestSerializer(made).data, f"{PREFIX}{contract.uuid}/sharing-requests/")

        return self.write(work)


class SharingRequestView(ContractingView):
    serializer_class = SharingRequestSerializer

    def sharing_request(self, contract: Contract) -> DataSharingRequest:
        key = parse_uuid(self.kwargs["request_uuid"])
        found = contract.sharing_requests.filter(uuid=key).first() if key is not None else None
        if found is None:
            raise NotFound
        return found

    def answer(self, found: DataSharingRequest) -> Response:
        found.refresh_from_db()
        return Response(SharingRequestSerializer(found).data)


class SubmitSharingRequestView(SharingRequestView):
    @extend_schema(
        summary="Send a draft request to the data owner (the requester)",
        request=None,
        responses=SharingRequestSerializer,
        parameters=[_contract_param(), _request_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, request_uuid: str) -> Response:
        contract = self.contract()
        found = self.sharing_request(contract)
        return self.perform(
            lambda: sharing.submit_request(actor=request.user, request=found), lambda: self.answer(found)
        )


class DecideSharingRequestView(SharingRequestView):
    @extend_schema(
        summary="Decide a request (the data owner): approve all, part, or none of the fields",
        request=DecideSharingRequestSerializer,
        responses=SharingRequestSerializer,
        parameters=[_contract_param(), _request_param()],
        tags=["contracting"],
    )
    def post(self, request: Request, contract_uuid: str, request_uuid: str) -> Response:
        contract = self.contract()
        found = self.sharing_request(contract)
        data = self.form(DecideSharingRequestSerializer)
        return self.perform(
            lambda: sharing.decide_request(
                actor=request.user, request=found, approved_fields=data["approved_fields"], note=data["note"]
            ),
            lambda: self.answer(found),
        )

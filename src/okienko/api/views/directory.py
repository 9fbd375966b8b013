"""Clients and interactions: list and read (each read of a client is logged), register, record."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as df
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.accounts.models import Organisation
from okienko.api.base import ApiViewSet, FilterSet, MomentFilter
from okienko.api.conditional import with_etag
from okienko.api.idempotency import idempotent
from okienko.api.models import Scope
from okienko.api.parsers import JSONParser
from okienko.api.permissions import limit_to_token, token_of
from okienko.api.problems import ProblemError
from okienko.api.serializers import linked
from okienko.catalogue.models import Service
from okienko.clients import actions as client_actions
from okienko.clients.access import access_client
from okienko.clients.errors import ClientError, DuplicatesFound
from okienko.clients.models import Client, ClientContact
from okienko.core.choices import Channel
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import PAPER_CHANNELS, Interaction


class ContactSerializer(serializers.ModelSerializer[ClientContact]):
    class Meta:
        model = ClientContact
        fields = ["kind", "value", "label", "is_primary"]
        read_only_fields = fields


class ClientSerializer(serializers.ModelSerializer[Client]):
    home_office = linked("code")
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Client
        fields = [
            "uuid", "number", "kind", "status", "first_name", "last_name", "organisation_name", "pesel", "nip",
            "birth_date", "home_office", "street", "postal_code", "city", "gmina", "contacts", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ClientListSerializer(serializers.ModelSerializer[Client]):
    """Lists show no identifiers (PESEL, NIP) and no contacts; read one client for those (logged)."""

    home_office = linked("code")

    class Meta:
        model = Client
        fields = ["uuid", "number", "kind", "first_name", "last_name", "organisation_name", "home_office", "city"]
        read_only_fields = fields


class RegisterClientSerializer(serializers.Serializer[Any]):
    home_office = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Client.Kind.choices, default=Client.Kind.PERSON)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    organisation_name = serializers.CharField(max_length=250, required=False, allow_blank=True)
    pesel = serializers.CharField(max_length=11, required=False, allow_blank=True)
    nip = serializers.CharField(max_length=10, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gmina_code = serializers.CharField(max_length=7, required=False, allow_blank=True)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=10)
    emails = serializers.ListField(child=serializers.EmailField(), required=False, max_length=10)
    accept_duplicates = serializers.BooleanField(default=False)


class ClientFilter(FilterSet):
    home_office = df.CharFilter(field_name="home_office__code")
    number = df.CharFilter()

    class Meta:
        model = Client
        fields = ["home_office", "number", "kind"]


def _organisation(request: Request, code: str, field: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    token = token_of(request)
    if organisation is None or (token is not None and not organisation.is_within(token.organisation)):
        raise ProblemError(400, _("Unknown organisation."), errors={field: [_("Unknown organisation.")]})
    return organisation


class ClientViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = ClientListSerializer
    read_scope = Scope.CLIENTS_READ
    write_scope = Scope.CLIENTS_WRITE
    lookup_field = "uuid"
    denial_scope_field = "home_office"
    filterset_class = ClientFilter
    ordering_fields = ["id", "number", "last_name"]

    def get_queryset(self) -> QuerySet[Any]:
        qs = Client.objects.visible_to(self.request.user).active().select_related("home_office")
        return limit_to_token(self.request, qs, "home_office")

    @extend_schema(summary="Read a client (the access is logged)", responses=ClientSerializer)
    def retrieve(self, request: Request, uuid: str) -> Response:
        client = access_client(request.user, self.scoped_object(uuid).pk, purpose="api")
        return with_etag(request, client, ClientSerializer(client).data)

    @extend_schema(summary="Register a client", request=RegisterClientSerializer, responses={201: ClientSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._register(request))

    def _register(self, request: Request) -> Response:
        form = RegisterClientSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        office = _organisation(request, data.pop("home_office"), "home_office")
        try:
            client = client_actions.register_client(
                actor=request.user,
                home_office=office,
                phones=data.pop("phones", []),
                emails=data.pop("emails", []),
                gmina_code=data.pop("gmina_code", None) or None,
                accept_duplicates=data.pop("accept_duplicates"),
                **{k: v for k, v in data.items() if v not in (None, "")},
            )
        except DuplicatesFound as exc:
            raise ProblemError(
                409,
                _("Possible duplicates exist; check them or send accept_duplicates=true."),
                slug="possible-duplicates",
                duplicates=[str(d.client.uuid) for d in exc.duplicates if d.visible],
                other_offices=sorted({str(d.client.home_office) for d in exc.duplicates if not d.visible}),
                blocking=exc.blocking,
            ) from None
        except ClientError as exc:
            raise ProblemError(400, exc.message, errors={exc.field or "non_field_errors": [exc.message]}) from None
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)


class ScanSerializer(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    type = serializers.CharField()
    size = serializers.IntegerField()


class InteractionSerializer(serializers.ModelSerializer[Interaction]):
    organisation = linked("code")
    client = linked("uuid")
    staff = linked("uuid")
    service = linked("code")
    scans = serializers.SerializerMethodField(help_text="Scans of a letter or fax: name, type and size.")

    class Meta:
        model = Interaction
        fields = [
            "uuid", "channel", "direction", "client", "organisation", "staff", "started_at", "ended_at",
            "service", "question", "outcome", "notes", "reference_number", "received_at", "scans",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ScanSerializer(many=True))
    def get_scans(self, interaction: Interaction) -> list[dict[str, Any]]:
        return [scan.as_payload() for scan in interaction.attachments.all()]


class RecordInteractionSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    direction = serializers.ChoiceField(choices=Interaction.Direction.choices, default=Interaction.Direction.IN)
    client = serializers.UUIDField(required=False, allow_null=True)
    service = serializers.SlugField(required=False, allow_blank=True)
    question = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Interaction.Outcome.choices, default=Interaction.Outcome.ANSWERED)
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)


class PaperContactSerializer(serializers.Serializer[Any]):
    """A paper letter, a fax or a visit at the counter, registered with its scans (multipart:
    repeat ``scans`` for each file)."""

    organisation = serializers.SlugField(help_text="The code of the office that received it.")
    channel = serializers.ChoiceField(choices=[(c, label) for c, label in Channel.choices if c in PAPER_CHANNELS])
    received_on = serializers.DateField(help_text="When the office received it (not in the future).")
    question = serializers.CharField(max_length=2000, help_text="What it is about.")
    reference_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    client = serializers.UUIDField(required=False, allow_null=True)
    service = serializers.SlugField(required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    contact_detail = serializers.CharField(max_length=200, required=False, allow_blank=True)
    scans = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, max_length=interaction_actions.MAX_SCANS
    )


class InteractionFilter(FilterSet):
    organisation = df.CharFilter(field_name="organisation__code")
    client = df.UUIDFilter(field_name="client__uuid")
    started_after = MomentFilter(field_name="started_at", lookup_expr="gte")
    started_before = MomentFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["organisation", "client", "channel", "direction", "outcome"]


def _client_and_service(
    request: Request, data: dict[str, Any], organisation: Organisation
) -> tuple[Client | None, Service | None]:
    """The contact's client (one the caller may see) and service (of the office), or a 400."""
    client = None
    if data.get("client"):
        client = Client.objects.visible_to(request.user).filter(uuid=data["client"]).first()
        if client is None:
            raise ProblemError(400, _("Unknown client."), errors={"client": [_("Unknown client.")]})
    service = None
    if data.get("service"):
        service = Service.objects.for_organisation(organisation).filter(code=data["service"]).first()
        if service is None:
            raise ProblemError(400, _("Unknown service."), errors={"service": [_("Unknown service.")]})
    return client, service


class InteractionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = InteractionSerializer
    read_scope = Scope.INTERACTIONS_READ
    write_scope = Scope.INTERACTIONS_WRITE
    lookup_field = "uuid"
    denial_scope_field = "organisation"
    filterset_class = InteractionFilter
    ordering_fields = ["id", "started_at"]

    def get_queryset(self) -> QuerySet[Any]:
        qs = (
            Interaction.objects.visible_to(self.request.user)
            .select_related("organisation", "client", "staff", "service")
            .prefetch_related("attachments")
        )
        return limit_to_token(self.request, qs)

    @extend_schema(
        summary="Record a contact", request=RecordInteractionSerializer, responses={201: InteractionSerializer}
    )
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._record(request))

    def _record(self, request: Request) -> Response:
        form = RecordInteractionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        organisation = _organisation(request, data.pop("organisation"), "organisation")
        client, service = _client_and_service(request, data, organisation)
        try:
            interaction = interaction_actions.record_interaction(
                actor=request.user,
                organisation=organisation,
                channel=data["channel"],
                direction=data["direction"],
                client=client,
                service=service,
                question=data.get("question", ""),
                outcome=data["outcome"],
                notes=data.get("notes", ""),
                started_at=data.get("started_at"),
                ended_at=data.get("ended_at"),
            )
        except interaction_actions.InteractionError as exc:
            raise ProblemError(400, exc.message, errors={exc.field or "non_field_errors": [exc.message]}) from None
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Register a letter, a fax or a visit at the counter with its scans",
        request={"multipart/form-data": PaperContactSerializer, "application/json": PaperContactSerializer},
        responses={201: InteractionSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def letters(self, request: Request) -> Response:
        return idempotent(request, lambda: self._letter(request))

    def _letter(self, request: Request) -> Response:
        form = PaperContactSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        organisation = _organisation(request, data.pop("organisation"), "organisation")
        client, service = _client_and_service(request, data, organisation)
        scans = [(upload.name or "scan", upload.read()) for upload in data.get("scans", [])]
        try:
            interaction = interaction_actions.register_paper_contact(
                actor=request.user,
                organisation=organisation,
                channel=data["channel"],
                received_on=data["received_on"],
                question=data["question"],
                reference_number=data.get("reference_number", ""),
                client=client,
                service=service,
                notes=data.get("notes", ""),
                contact_name=data.get("contact_name", ""),
                contact_address=data.get("contact_address", ""),
                contact_detail=data.get("contact_detail", ""),
                scans=scans,
            )
        except interaction_actions.InteractionError as exc:
            errors = {name: [str(message)] for name, message in exc.errors.items()} or {
                exc.field or "non_field_errors": [str(exc.message)]
            }
            raise ProblemError(400, exc.message, errors=errors) from None
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)

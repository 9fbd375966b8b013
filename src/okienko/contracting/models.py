"""Kontraktor: contracts between labour offices and employment agencies (issue 17, ADR 0061).

Every reference that crosses institutions is designed for part 2 (each institution its own
installation): a participant is named by its pseudonymous ``ref``, packages and messages carry a
``message_id``, and the agency reads people only through ``SharedRecord`` packages, never through
the registry table.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.contracting.states import (
    ContractStatus,
    ExitReason,
    ParticipantStatus,
    SettlementStatus,
    SharingStatus,
    TrancheStatus,
)
from okienko.contracting.validators import kzis_validator, new_participant_ref, nip_validator, regon_validator
from okienko.core.files import StoredFile

PLN = "PLN"


class Currency(models.TextChoices):
    PLN = "PLN", _("Polish złoty (PLN)")


# --- Institutions and contracts -------------------------------------------------------------------


class InstitutionProfile(models.Model):
    """What Kontraktor needs to know about a labour office or an agency beyond the organisation."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="contracting_profile"
    )
    nip = models.CharField(_("NIP"), max_length=10, validators=[nip_validator])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[regon_validator])
    kraz_number = models.CharField(
        _("agency register number (KRAZ)"), max_length=40, blank=True, help_text=_("Agencies only, e.g. 12345.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # Part 2 (separate installations) fills these in.
    exchange_endpoint = models.URLField(_("exchange endpoint"), blank=True)
    public_key = models.TextField(_("public signing key"), blank=True)

    class Meta:
        verbose_name = _("institution profile")
        verbose_name_plural = _("institution profiles")

    def __str__(self) -> str:
        return str(self.organisation)


class TrancheScheme(models.Model):
    """How a contract pays: the tranches, their triggers and amounts (configuration, never code)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=PLN)
    active = models.BooleanField(pgettext_lazy("tranche scheme", "active"), default=True)

    class Meta:
        verbose_name = _("tranche scheme")
        verbose_name_plural = _("tranche schemes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TriggerEvent(models.TextChoices):
    """What makes a tranche due (an activation event of the participant)."""

    DIAGNOSIS = "diagnosis", _("diagnosis")
    INDIVIDUAL_PLAN = "individual_plan", _("individual action plan agreed")
    TRAINING = "training", _("training")
    PLACEMENT = "placement", _("placement in work")


class TrancheDefinition(models.Model):
    """One tranche of a scheme: due ``minimum_days`` after its trigger, a share or a fixed amount."""

    scheme = models.ForeignKey(TrancheScheme, on_delete=models.CASCADE, related_name="tranches")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("trigger event"), max_length=20, choices=TriggerEvent.choices)
    minimum_days = models.PositiveIntegerField(
        _("minimum days"),
        default=0,
        help_text=_("Days after the trigger (for a placement: days of employment kept, confirmed by a check)."),
    )
    percent = models.DecimalField(
        _("share of the price per participant (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("fixed amount"), null=True, blank=True, max_digits=14, decimal_places=2)
    evidence_required = models.BooleanField(_("evidence required"), default=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "order"], name="contracting_tranche_order"),
            models.CheckConstraint(
                condition=(models.Q(percent__isnull=False, amount__isnull=True))
                | (models.Q(percent__isnull=True, amount__isnull=False)),
                name="contracting_tranche_percent_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def amount_for(self, price_per_participant: Decimal) -> Decimal:
        """The money this tranche is worth for one participant (rounded to the grosz)."""
        if self.amount is not None:
            return self.amount
        return (price_per_participant * (self.percent or Decimal(0)) / Decimal(100)).quantize(Decimal("0.01"))


class ContractQuerySet(models.QuerySet["Contract"]):
    def of_office(self, org_ids: models.QuerySet[Organisation] | list[int]) -> ContractQuerySet:
        return self.filter(models.Q(office__in=org_ids) | models.Q(region_office__in=org_ids))


class Contract(models.Model):
    """A contract between a PUP and an agency (optionally three-party with the WUP)."""

    class AgencyRole(models.TextChoices):
        PROCESSOR = "processor", _("processor (art. 28 GDPR agreement)")
        CONTROLLER = "controller", _("separate controller")

    class EndPolicy(models.TextChoices):
        DELETE = "delete", _("delete the data")
        ARCHIVE = "archive", _("archive the data")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=60)
    office = models.ForeignKey(
        Organisation, verbose_name=_("labour office (PUP)"), on_delete=models.PROTECT, related_name="office_contracts"
    )
    agency = models.ForeignKey(
        Organisation, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="agency_contracts"
    )
    region_office = models.ForeignKey(
        Organisation,
        verbose_name=_("regional labour office (WUP)"),
        on_delete=models.PROTECT,
        related_name="region_contracts",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    procurement_reference = models.CharField(_("procurement reference"), max_length=120, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    planned_participants = models.PositiveIntegerField(_("planned participants"))
    indicators = models.JSONField(
        _("indicators"), default=dict, blank=True, help_text=_("Targets: referred, admitted, placed, retained.")
    )
    price_per_participant = models.DecimalField(
        _("price per participant"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0))],
        max_digits=14,
        decimal_places=2,
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=PLN)
    tranche_scheme = models.ForeignKey(
        TrancheScheme, verbose_name=_("tranche scheme"), on_delete=models.PROTECT, related_name="contracts"
    )
    agency_role = models.CharField(_("legal role of the agency"), max_length=12, choices=AgencyRole.choices)
    end_policy = models.CharField(_("at the end of the contract"), max_length=8, choices=EndPolicy.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    office_certified_at = models.DateTimeField(_("office's deletion/archival certificate"), null=True, blank=True)
    agency_certified_at = models.DateTimeField(_("agency's deletion/archival certificate"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="contracting_contract_number"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="contracting_dates"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def office_side_ids(self) -> set[int]:
        """The organisations on the office side (the PUP and, in a three-party contract, the WUP)."""
        return {pk for pk in (self.office_id, self.region_office_id) if pk is not None}


class ContractAgreement(StoredFile):
    """A document of the contract: the data-processing agreement (processor) or the separate
    controllers' agreement, the contract itself, annexes, certificates."""

    STORAGE_FOLDER: ClassVar[str] = "contracting/agreements"

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("contract")
        DATA_AGREEMENT = "data_agreement", _("data-protection agreement")
        ANNEX = "annex", _("annex")
        CERTIFICATE = "certificate", _("deletion or archival certificate")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["contract", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class TransitionRow(models.Model):
    """One change of status: append-only history."""

    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("by"), max_length=200, blank=True)
    side = models.CharField(_("side"), max_length=12)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ContractTransition(TransitionRow):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionRow.Meta):
        verbose_name = _("contract status change")
        verbose_name_plural = _("contract status changes")


# --- Participants ---------------------------------------------------------------------------------


class Participant(models.Model):
    """A registered unemployed person on a contract. ``ref`` is their only name across institutions;
    ``person`` (the office's registry row) is empty wherever the registry is not local."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ref = models.CharField(_("reference"), max_length=18, unique=True, default=new_participant_ref, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="participants"
    )
    person = models.ForeignKey(
        "contracting_registry.RegisteredPerson",
        verbose_name=_("registered person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.NOMINATED
    )
    exit_reason = models.CharField(_("reason for leaving"), max_length=24, choices=ExitReason.choices, blank=True)
    referral_date = models.DateField(_("referred on"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility at nomination"), default=dict, blank=True)
    nominated_at = models.DateTimeField(_("nominated"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["contract", "nominated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "person"], name="contracting_participant_once"),
        ]
        indexes = [models.Index(fields=["contract", "status"], name="contracting_participant_status")]

    def __str__(self) -> str:
        return self.ref


class ParticipantTransition(TransitionRow):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        verbose_name = _("participant status change")
        verbose_name_plural = _("participant status changes")


# --- Data sharing ---------------------------------------------------------------------------------


class Direction(models.TextChoices):
    OFFICE_TO_AGENCY = "office_to_agency", _("office's registry data to the agency")
    AGENCY_TO_OFFICE = "agency_to_office", _("agency's records to the office")


class SharedField(models.Model):
    """One item of data that may be shared (catalogue: configured, never assumed)."""

    class Group(models.TextChoices):
        IDENTITY = "identity", _("identity")
        CONTACT = "contact", _("contact")
        EDUCATION = "education", _("education")
        WORK_HISTORY = "work_history", _("work history")
        QUALIFICATIONS = "qualifications", _("qualifications")
        PAST_ACTIVATION = "past_activation", _("past activation")
        AGENCY_RECORDS = "agency_records", _("agency's records")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("shareable field")
        verbose_name_plural = _("shareable fields")
        ordering = ["group", "order", "code"]

    def __str__(self) -> str:
        return self.label


class SharingPurpose(models.Model):
    """Why data is shared, and the allow-list of fields that purpose may carry (minimisation)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    legal_basis = models.CharField(_("default legal basis"), max_length=300, blank=True)
    fields = models.ManyToManyField(SharedField, verbose_name=_("allowed fields"), related_name="purposes")
    active = models.BooleanField(pgettext_lazy("sharing purpose", "active"), default=True)

    class Meta:
        verbose_name = _("sharing purpose")
        verbose_name_plural = _("sharing purposes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def allowed_codes(self) -> set[str]:
        return set(self.fields.values_list("code", flat=True))


class DataSharingRequest(models.Model):
    """A request to let data flow between the two sides of a contract; the data owner decides."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="sharing_requests"
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    requester = models.ForeignKey(Organisation, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(Organisation, verbose_name=_("data owner"), on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey(SharingPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    requested_fields = models.JSONField(_("requested fields"), default=list)
    approved_fields = models.JSONField(_("approved fields"), default=list, blank=True)
    participants = models.ManyToManyField(Participant, verbose_name=_("participants"), related_name="sharing_requests")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=SharingStatus.choices, default=SharingStatus.DRAFT, db_index=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-sharing request")
        verbose_name_plural = _("data-sharing requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="contracting_sharing_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · {self.purpose} ({self.get_status_display()})"


class SharingTransition(TransitionRow):
    request = models.ForeignKey(DataSharingRequest, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        verbose_name = _("sharing request status change")
        verbose_name_plural = _("sharing request status changes")


class SharedRecord(models.Model):
    """One package of data about one participant, sent on one request: the only way data crosses
    from one institution to the other. ``fields`` holds only approved fields (checked when packing
    and again when reading)."""

    message_id = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(DataSharingRequest, on_delete=models.CASCADE, related_name="records")
    participant_ref = models.CharField(_("participant reference"), max_length=18, db_index=True)
    fields = models.JSONField(_("data"), default=dict)
    payload_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("shared data package")
        verbose_name_plural = _("shared data packages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["request", "participant_ref", "-created_at"], name="contracting_record_latest")]

    def __str__(self) -> str:
        return f"{self.participant_ref} · {self.message_id}"


class AccessLog(models.Model):
    """Append-only, hash-chained: every read, transfer and export of shared data, and every refusal
    (the audit chain's rule: sha256 over the canonical JSON of the entry and the previous hash)."""

    class Action(models.TextChoices):
        READ = "read", _("read")
        TRANSFER = "transfer", _("transfer")
        EXPORT = "export", _("export")

    class Outcome(models.TextChoices):
        GRANTED = "granted", pgettext_lazy("access outcome", "granted")
        REFUSED = "refused", _("refused")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_repr = models.CharField(_("who"), max_length=200)
    institution_id = models.BigIntegerField(_("institution"), null=True, blank=True)
    institution_repr = models.CharField(_("institution name"), max_length=200, blank=True)
    participant_ref = models.CharField(_("participant reference"), max_length=18, blank=True, db_index=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    purpose = models.CharField(_("purpose"), max_length=60, blank=True)
    request_uuid = models.CharField(_("request"), max_length=36, blank=True)
    message_id = models.CharField(_("message id"), max_length=36, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.GRANTED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64)
    hash = models.CharField(pgettext_lazy("checksum", "hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("shared-data access log entry")
        verbose_name_plural = _("shared-data access log")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.participant_ref}"


class AccessLogHead(models.Model):
    """The tip of the access log's hash chain; locking it orders appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("access log chain head")

    def __str__(self) -> str:
        return f"access log at #{self.last_id}"


# --- Activation -----------------------------------------------------------------------------------


class ActivationEvent(models.Model):
    """Something the agency (or the office) did with a participant."""

    class Type(models.TextChoices):
        MEETING = "meeting", _("meeting")
        DIAGNOSIS = "diagnosis", _("diagnosis")
        INDIVIDUAL_PLAN = "individual_plan", _("individual action plan")
        TRAINING = "training", _("training")
        JOB_OFFER = "job_offer", _("job offer")
        PLACEMENT = "placement", _("placement in work")
        RETENTION_CHECK = "retention_check", _("employment check")
        CONTACT = "contact", _("contact")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    occurred_at = models.DateTimeField(_("when"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    placement = models.ForeignKey("Placement", null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("activation event")
        verbose_name_plural = _("activation events")
        ordering = ["participant", "occurred_at", "id"]
        indexes = [models.Index(fields=["participant", "type", "occurred_at"], name="contracting_event_type")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.occurred_at:%Y-%m-%d}"


class EventEvidence(StoredFile):
    """Evidence attached to an activation event (attendance list, employment contract, ZUS proof)."""

    STORAGE_FOLDER: ClassVar[str] = "contracting/evidence"

    event = models.ForeignKey(ActivationEvent, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["event", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class Placement(models.Model):
    """Employment the agency found for a participant."""

    class ContractType(models.TextChoices):
        EMPLOYMENT = "employment", _("employment contract")
        CIVIL = "civil", _("civil-law contract (umowa zlecenie)")
        TASK = "task", _("contract for a specific task (umowa o dzieło)")
        SELF_EMPLOYMENT = "self_employment", _("self-employment")
        OTHER = "other", _("other")

    class Verification(models.TextChoices):
        EMPLOYER = "employer", _("confirmed by the employer")
        CONTRACT_COPY = "contract_copy", _("copy of the contract")
        ZUS = "zus", _("social insurance (ZUS) registration")
        CEIDG = "ceidg", _("business register (CEIDG)")
        STATEMENT = "statement", _("participant's statement")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="placements")
    employer_nip = models.CharField(_("employer's NIP"), max_length=10, validators=[nip_validator])
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200)
    occupation_code = models.CharField(_("occupation (KZiS)"), max_length=6, validators=[kzis_validator])
    occupation_edition = models.CharField(_("KZiS edition"), max_length=10, default="2023")
    contract_type = models.CharField(_("type of contract"), max_length=20, choices=ContractType.choices)
    working_time = models.DecimalField(_("working time (fraction of full time)"), max_digits=4, decimal_places=3)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    verified_by = models.CharField(_("how verified"), max_length=20, choices=Verification.choices)
    ended_early = models.BooleanField(_("ended early"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["participant", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_time__gt=0, working_time__lte=1), name="contracting_working_time"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="contracting_placement_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} ({self.start_date.isoformat()})"


class RetentionCheck(models.Model):
    """A scheduled check that the participant is still employed ``days`` after the placement start."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="retention_checks")
    days = models.PositiveIntegerField(_("days after the start"))
    due_on = models.DateField(_("due"), db_index=True)
    done_at = models.DateTimeField(pgettext_lazy("retention check", "done"), null=True, blank=True)
    employed = models.BooleanField(_("still employed"), null=True, blank=True)
    event = models.OneToOneField(
        ActivationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="retention_check"
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("employment check")
        verbose_name_plural = _("employment checks")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["placement", "days"], name="contracting_retention_once")]

    def __str__(self) -> str:
        return f"{self.placement} +{self.days}"


# --- Settlements ----------------------------------------------------------------------------------


class Settlement(models.Model):
    """The agency's claim for a period, with its tranche lines; a correction points at the original."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("settlement")
        CORRECTION = "correction", pgettext_lazy("settlement kind", "correction")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="settlements"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SettlementStatus.choices, default=SettlementStatus.OPEN
    )
    total = models.DecimalField(_("total"), default=Decimal("0.00"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=PLN)
    invoice_reference = models.CharField(_("invoice"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["contract", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="contracting_settlement_period"
            ),
            models.UniqueConstraint(
                fields=["contract", "period_start", "period_end"],
                condition=models.Q(kind="regular"),
                name="contracting_settlement_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.period_start.isoformat()}–{self.period_end.isoformat()}"


class SettlementTransition(TransitionRow):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        verbose_name = _("settlement status change")
        verbose_name_plural = _("settlement status changes")


class TrancheLine(models.Model):
    """What one tranche of the scheme is worth for one participant, and where its payment stands."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="tranche_lines")
    definition = models.ForeignKey(TrancheDefinition, on_delete=models.PROTECT, related_name="lines")
    status = models.CharField(
        _("status"), max_length=12, choices=TrancheStatus.choices, default=TrancheStatus.NOT_DUE, db_index=True
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=PLN)
    trigger_date = models.DateField(_("trigger date"), null=True, blank=True)
    eligible_on = models.DateField(_("eligible from"), null=True, blank=True)
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines")
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("tranche line")
        verbose_name_plural = _("tranche lines")
        ordering = ["participant", "definition__order"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "definition"], name="contracting_tranche_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.definition}"


class TrancheTransition(TransitionRow):
    line = models.ForeignKey(TrancheLine, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRow.Meta):
        verbose_name = _("tranche line status change")
        verbose_name_plural = _("tranche line status changes")


# --- Messages -------------------------------------------------------------------------------------


class ContractMessage(models.Model):
    """A message between the office and the agency on a contract (optionally about one participant)."""

    message_id = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="messages"
    )
    participant_ref = models.CharField(_("participant reference"), max_length=18, blank=True, db_index=True)
    sender = models.ForeignKey(Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_repr = models.CharField(_("written by"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract message")
        verbose_name_plural = _("contract messages")
        ordering = ["contract", "sent_at", "id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="contracting_message_unread")]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} {self.sent_at:%Y-%m-%d %H:%M}"

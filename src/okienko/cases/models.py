"""Cases: a client's request handled by a unit under a deadline, with notes, files and history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.cases.workflow import FINISHED_STATUSES, OPEN_STATUSES, PAUSED_STATUSES, Status
from okienko.catalogue.models import Priority as Priority
from okienko.core.actors import Actor, superuser
from okienko.core.choices import Channel
from okienko.core.files import StoredFile, stored_file_path
from okienko.core.ids import uuid7


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Actor) -> CaseQuerySet:
        from okienko.cases.access import visibility_q

        return self.filter(visibility_q(user))

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def running(self) -> CaseQuerySet:
        """Open cases whose SLA clock runs (not waiting for the client)."""
        return self.filter(status__in=OPEN_STATUSES - PAUSED_STATUSES)

    def overdue(self, now: dt.datetime) -> CaseQuerySet:
        return self.running().filter(resolve_due__lt=now)

    def overdue_3x(self, now: dt.datetime) -> CaseQuerySet:
        return self.running().filter(resolve_due_3x__lt=now)


class Case(models.Model):
    """One request of a client (or an anonymous reporter) to the jurisdiction ``organisation``."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=40, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # a composite index in Meta starts with this column
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # a composite index in Meta starts with this column
    )
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(_("channel of origin"), max_length=10, choices=Channel.choices)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # a composite index in Meta starts with this column
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    gmina = models.ForeignKey(
        TerritorialUnit, verbose_name=_("gmina"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("assigned unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        db_index=False,  # a composite index in Meta starts with this column
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        db_index=False,  # a composite index in Meta starts with this column
    )
    routing_rule = models.ForeignKey(
        "cases.RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    priority_rule = models.ForeignKey(
        "catalogue.PriorityRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    priority_reason = models.CharField(
        _("reason for the priority"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The name of the catalogue rule that set the priority when the case was opened."),
    )
    sla_basis = models.CharField(_("SLA basis"), max_length=16, blank=True)
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve due"), null=True, blank=True)
    resolve_due_3x = models.DateTimeField(_("three times the resolve time"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=0, help_text=_("0 none, 1 reminded, 2 overdue, 3 three times overdue")
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent case"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    external_token = models.UUIDField(default=uuid7, unique=True, editable=False)
    media_url = models.URLField(_("media URL"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["assigned_unit", "status", "resolve_due"], name="case_unit_queue"),
            models.Index(
                fields=["assigned_unit", "resolve_due", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_unit_open_due",
            ),
            models.Index(fields=["assigned_to", "status", "resolve_due"], name="case_person_queue"),
            models.Index(fields=["organisation", "status", "resolve_due"], name="case_org_queue"),
            models.Index(fields=["service", "status", "created_at"], name="case_service_recent"),
            models.Index(fields=["client", "created_at"], name="case_client"),
            # Report rollups recompute one office's cases of one day (issue 20, ADR 0067).
            models.Index(fields=["organisation", "created_at"], name="case_org_created"),
            models.Index(
                fields=["organisation", "resolved_at"], condition=Q(resolved_at__isnull=False), name="case_org_resolved"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def sla_running(self) -> bool:
        return self.status in OPEN_STATUSES and self.status not in PAUSED_STATUSES

    def overdue_level_at(self, now: dt.datetime) -> int:
        from okienko.cases.sla import overdue_level

        return overdue_level(
            now=now, resolve_due=self.resolve_due, resolve_due_3x=self.resolve_due_3x, running=self.sla_running
        )


class CaseNumberCounter(models.Model):
    """The gap-free counter behind case numbers: one row per jurisdiction and year, row-locked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_value}"


class CaseParty(models.Model):
    """A person or organisation involved in a case besides the assigned staff."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("reporter")
        AFFECTED = "affected", _("affected person")
        REPRESENTATIVE = "representative", _("representative")
        WITNESS = "witness", _("witness")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notify = models.BooleanField(_("inform about progress"), default=True)

    class Meta:
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name or self.client_id}"


class CaseNoteQuerySet(models.QuerySet["CaseNote"]):
    def visible_to(self, user: Actor) -> CaseNoteQuerySet:
        """Notes ``user`` may read on a case they can see: every internal and public note, and
        unit-only notes of the units where the user works on cases (ADR 0041)."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        if superuser(user):
            return self
        units = list(access.organisations_with(user, Perm.CASES_WORK).values_list("pk", flat=True))
        return self.exclude(models.Q(visibility=CaseNote.Visibility.UNIT) & ~models.Q(unit_id__in=units))


class CaseNote(models.Model):
    """A note on a case: internal (every member of staff who sees the case), unit-only (the staff
    of the unit the case was assigned to when it was written) or public (shown to the reporter)."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("internal note")
        UNIT = "unit", _("unit-only note")
        PUBLIC = "public", _("public update")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices)
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For unit-only notes: the unit whose staff may read it."),
    )
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    """Kept for the migrations that name it; files are now placed by ``core.files.stored_file_path``."""
    return stored_file_path(instance, filename)


class CaseAttachment(StoredFile):
    """A file attached to a case (``core.files.StoredFile``)."""

    STORAGE_FOLDER = "cases"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    is_public = models.BooleanField(_("visible to the reporter"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """One entry of a case's timeline (append-only; the audit log holds the full diff)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class RoutingRule(models.Model):
    """Sends new cases matching the conditions to ``target_unit``; the lowest ``order`` wins."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(pgettext_lazy("routing rule", "active"), default=True)
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    territory_prefix = models.CharField(
        _("TERYT code prefix"),
        max_length=7,
        blank=True,
        help_text=_("Powiat (4 digits) or gmina (7 digits) of the event's place, else of the client's address."),
    )
    weekdays = models.CharField(
        _("weekdays"), max_length=7, blank=True, help_text=_("Digits 0 (Monday) to 6 (Sunday); empty = every day.")
    )
    time_from = models.TimeField(_("from (local time)"), null=True, blank=True)
    time_to = models.TimeField(_("until (local time)"), null=True, blank=True)
    answer_code = models.SlugField(_("extra question code"), max_length=80, blank=True)
    answer_value = models.CharField(_("answer"), max_length=200, blank=True)
    target_unit = models.ForeignKey(
        Organisation, verbose_name=_("target unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["organisation", "order", "id"]

    def __str__(self) -> str:
        return self.name


class SavedFilter(models.Model):
    """A named set of queue filters; private, or shared with the owner's team (a unit)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="case_filters"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=500)
    shared_with = models.ForeignKey(
        Organisation,
        verbose_name=_("shared with the team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cover(models.Model):
    """``covering`` works ``absent``'s personal queue between two dates."""

    absent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("absent person"), on_delete=models.CASCADE, related_name="covered_by"
    )
    covering = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("standing in"), on_delete=models.CASCADE, related_name="covers"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        constraints = [models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="cover_dates")]

    def __str__(self) -> str:
        return f"{self.covering} → {self.absent}"

"""Rollups of the reports app (issue 20). They are the only tables the app writes; domain tables
are only read. One row per local day (Europe/Warsaw) and key: the organisation that owns the case,
the unit it is assigned to (``unit_id``, 0 when none: a unit head's reports), its service and
category, the channel it came by and the gmina of the place.

``opened`` counts cases created that day; ``resolved`` counts cases resolved that day (their
``resolved_at``), ``resolved_in_time`` those resolved by their resolve-due time, and
``resolution_seconds`` the sum of their times from creation to resolution (the mean is the sum
over the count). Rows are recomputed per bucket from the cases table (``rollups.recompute``), so a
repeated or late event can never count twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseDay(models.Model):
    day = models.DateField(_("day"))
    organisation_id = models.BigIntegerField(_("organisation"))
    unit_id = models.BigIntegerField(_("assigned unit"), default=0)
    service_id = models.BigIntegerField(_("service"))
    category_id = models.BigIntegerField(_("category"), null=True)
    channel = models.CharField(_("channel"), max_length=10)
    gmina_id = models.CharField(_("gmina"), max_length=7, blank=True)
    opened = models.PositiveIntegerField(_("opened"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    resolved_in_time = models.PositiveIntegerField(_("resolved in time"), default=0)
    resolution_seconds = models.BigIntegerField(_("resolution time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("cases per day")
        verbose_name_plural = _("cases per day")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["day", "organisation_id", "unit_id", "service_id", "channel", "gmina_id"],
                name="reports_caseday_key",
            )
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organisation_id", "day"], name="reports_caseday_org")]

    def __str__(self) -> str:
        return f"{self.day} org={self.organisation_id} service={self.service_id}: +{self.opened} ✓{self.resolved}"


class ContactDay(models.Model):
    """Contacts (``interactions.Interaction``) per local day, office, channel, direction, outcome,
    service, member of staff and local hour of their start. ``staff_id`` and ``service_id`` are
    0 when the contact has none (a NULL in a unique key would not be unique). ``duration_seconds``
    sums the handling time of the ``timed`` contacts (those with an end). Rows are rebuilt per
    office and day from the contacts table (``rollups.recompute_contacts``)."""

    day = models.DateField(_("day"))
    organisation_id = models.BigIntegerField(_("organisation"))
    channel = models.CharField(_("channel"), max_length=10)
    direction = models.CharField(_("direction"), max_length=3)
    outcome = models.CharField(_("outcome"), max_length=20)
    service_id = models.BigIntegerField(_("service"), default=0)
    staff_id = models.BigIntegerField(_("member of staff"), default=0)
    hour = models.PositiveSmallIntegerField(_("hour"))
    contacts = models.PositiveIntegerField(_("contacts"), default=0)
    timed = models.PositiveIntegerField(_("contacts with a duration"), default=0)
    duration_seconds = models.BigIntegerField(_("handling time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("contacts per day")
        verbose_name_plural = _("contacts per day")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["day", "organisation_id", "channel", "direction", "outcome", "service_id", "staff_id", "hour"],
                name="reports_contactday_key",
            )
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organisation_id", "day"], name="reports_contactday_org")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour}h org={self.organisation_id} {self.channel}: {self.contacts}"


# -- month rollups (ADR 0067, addendum 3) --------------------------------------------------------
# A dashboard over a year read 3,000,000 day rows of contacts (bench: 3.7 s). The month tables
# hold the same sums per calendar month with the dimensions the dashboards group by, so a period
# is read as month rows for its whole months and day rows only for the days at its two ends. They
# are projections of the day rows and are kept by the same flush that writes those (by the
# difference between a day's old and new rows), and rebuilt with them.


class CaseMonth(models.Model):
    """:class:`CaseDay` summed per calendar month (``month`` is its first day), without the gmina."""

    month = models.DateField(_("month"))
    organisation_id = models.BigIntegerField(_("organisation"))
    unit_id = models.BigIntegerField(_("assigned unit"), default=0)
    service_id = models.BigIntegerField(_("service"))
    category_id = models.BigIntegerField(_("category"), null=True)
    channel = models.CharField(_("channel"), max_length=10)
    opened = models.BigIntegerField(_("opened"), default=0)
    resolved = models.BigIntegerField(_("resolved"), default=0)
    resolved_in_time = models.BigIntegerField(_("resolved in time"), default=0)
    resolution_seconds = models.BigIntegerField(_("resolution time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("cases per month")
        verbose_name_plural = _("cases per month")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["month", "organisation_id", "unit_id", "service_id", "channel"], name="reports_casemonth_key"
            )
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organisation_id", "month"], name="reports_casemonth_org")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} org={self.organisation_id} service={self.service_id}: +{self.opened}"


class ContactMonth(models.Model):
    """:class:`ContactDay` summed per calendar month, without the member of staff and the hour."""

    month = models.DateField(_("month"))
    organisation_id = models.BigIntegerField(_("organisation"))
    channel = models.CharField(_("channel"), max_length=10)
    direction = models.CharField(_("direction"), max_length=3)
    outcome = models.CharField(_("outcome"), max_length=20)
    service_id = models.BigIntegerField(_("service"), default=0)
    contacts = models.BigIntegerField(_("contacts"), default=0)
    timed = models.BigIntegerField(_("contacts with a duration"), default=0)
    duration_seconds = models.BigIntegerField(_("handling time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("contacts per month")
        verbose_name_plural = _("contacts per month")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["month", "organisation_id", "channel", "direction", "outcome", "service_id"],
                name="reports_contactmonth_key",
            )
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organisation_id", "month"], name="reports_contactmonth_org")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} org={self.organisation_id} {self.channel}: {self.contacts}"


class ContactMonthStaff(models.Model):
    """:class:`ContactDay` summed per calendar month and member of staff (the load per person)."""

    month = models.DateField(_("month"))
    organisation_id = models.BigIntegerField(_("organisation"))
    staff_id = models.BigIntegerField(_("member of staff"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20)
    contacts = models.BigIntegerField(_("contacts"), default=0)
    timed = models.BigIntegerField(_("contacts with a duration"), default=0)
    duration_seconds = models.BigIntegerField(_("handling time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("contacts per month and member of staff")
        verbose_name_plural = _("contacts per month and member of staff")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["month", "organisation_id", "staff_id", "outcome"], name="reports_contactmonthstaff_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} org={self.organisation_id} staff={self.staff_id}: {self.contacts}"


class ContactMonthHour(models.Model):
    """:class:`ContactDay` summed per calendar month, day of the week (ISO, 1 = Monday) and hour."""

    month = models.DateField(_("month"))
    organisation_id = models.BigIntegerField(_("organisation"))
    weekday = models.PositiveSmallIntegerField(_("day of the week"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    outcome = models.CharField(_("outcome"), max_length=20)
    contacts = models.BigIntegerField(_("contacts"), default=0)
    timed = models.BigIntegerField(_("contacts with a duration"), default=0)
    duration_seconds = models.BigIntegerField(_("handling time (seconds, sum)"), default=0)

    class Meta:
        verbose_name = _("contacts per month, day of the week and hour")
        verbose_name_plural = _("contacts per month, day of the week and hour")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["month", "organisation_id", "weekday", "hour", "outcome"], name="reports_contactmonthhour_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} org={self.organisation_id} {self.weekday}/{self.hour}h: {self.contacts}"


class RollupMark(models.Model):
    """An office's local day whose rollup rows are out of date: written by the outbox subscribers
    (one cheap insert per event; a second event of the same day finds it there) and cleared by
    ``rollups.flush``, which recomputes each marked day once however many events named it."""

    class Kind(models.TextChoices):
        CASES = "cases", _("cases")
        CONTACTS = "contacts", _("contacts")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    organisation_id = models.BigIntegerField(_("organisation"))
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("rollup day to recompute")
        verbose_name_plural = _("rollup days to recompute")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["kind", "organisation_id", "day"], name="reports_rollupmark_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} org={self.organisation_id} {self.day}"


class CallDay(models.Model):
    """Calls per local day and phone queue (issue 20, item 2), from the telephony event log as
    its interval reports count them (``telephony.engine.reports``): a visit counts on the day it
    entered the queue. Recomputed per day (``reports.calls``); the log itself is never changed."""

    day = models.DateField(_("day"))
    organisation_id = models.BigIntegerField(_("organisation"))
    queue = models.CharField(_("queue"), max_length=60)
    offered = models.PositiveIntegerField(_("offered"), default=0)
    answered = models.PositiveIntegerField(pgettext_lazy("calls", "answered"), default=0)
    answered_within = models.PositiveIntegerField(_("answered within the target"), default=0)
    abandoned = models.PositiveIntegerField(pgettext_lazy("calls", "abandoned"), default=0)
    short_abandoned = models.PositiveIntegerField(_("abandoned within seconds"), default=0)
    overflowed_out = models.PositiveIntegerField(_("overflowed to other queues"), default=0)
    completed = models.PositiveIntegerField(pgettext_lazy("calls", "completed"), default=0)
    wait_seconds = models.FloatField(_("waiting time of answered calls (seconds, sum)"), default=0)
    talk_seconds = models.FloatField(_("talk time (seconds, sum)"), default=0)
    wrap_seconds = models.FloatField(_("wrap-up time (seconds, sum)"), default=0)
    max_wait = models.FloatField(_("longest wait (seconds)"), default=0)

    class Meta:
        verbose_name = _("calls per day")
        verbose_name_plural = _("calls per day")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["day", "queue"], name="reports_callday_key")
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organisation_id", "day"], name="reports_callday_org")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue}: {self.answered}/{self.offered}"


def _validate_recipients(value: str) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    addresses = [line.strip() for line in value.splitlines() if line.strip()]
    if not addresses:
        raise ValidationError(_("Give at least one e-mail address."))
    if len(addresses) > 50:
        raise ValidationError(_("At most 50 addresses."))
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(_("Not an e-mail address: %(address)s"), params={"address": address[:80]}) from None


class ReportSubscription(models.Model):
    """A report pack (PDF and XLSX) e-mailed every week or month to configured recipients — the
    mayor, councillors, directors — about one organisation and everything under it (issue 20)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("every week (the previous Monday to Sunday)")
        MONTHLY = "monthly", _("every month (the previous calendar month)")

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    recipients = models.TextField(
        _("recipients"), help_text=_("One e-mail address per line."), validators=[_validate_recipients]
    )
    territory = models.ForeignKey(
        "accounts.TerritorialUnit",
        verbose_name=_("district or area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Only cases whose place lies here (a gmina or city district, or a powiat with its gminas) — "
            "for councillors of a district. Empty: the whole organisation."
        ),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=[("pl", "polski"), ("en", "English")], default="pl"
    )
    active = models.BooleanField(pgettext_lazy("report subscription", "active"), default=True)
    last_period = models.DateField(_("last period sent (its first day)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")

    def __str__(self) -> str:
        return self.name

    def addresses(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()][:50]


from okienko.reports.hotspot_models import HotSpot  # noqa: E402  # the early warning's model, in its own file

__all__ = ["CaseDay", "ContactDay", "HotSpot", "ReportSubscription"]


from okienko.reports.adhoc_models import ExportJob, SavedReport  # noqa: E402  # ad hoc reports (issue 20, item 5)

__all__ = ["CaseDay", "ContactDay", "ExportJob", "ReportSubscription", "SavedReport"]


from okienko.reports.area_models import Area, AreaImport, AreaKind  # noqa: E402  # imported boundaries (ADR 0071)

__all__ = ["Area", "AreaImport", "AreaKind", "CaseDay", "ContactDay", "ExportJob", "ReportSubscription", "SavedReport"]

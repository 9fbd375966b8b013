"""Schedules of the county offices and appointments at them (issue 19, item 6).

A ``Schedule`` belongs to one organisation that receives clients (a county labour office, or one
of its departments or locations): the grid of its slots (``slot_minutes``), the opening hours per
weekday with the number of desks working in parallel (``WeeklyHours``), the days that differ
(``ScheduleException``: closed, or other hours) and the visit types it offers with their length.
Polish public holidays are closed unless an exception opens them.

Free slots are not stored: they are computed for one day at a time from the hours minus the
desks already taken. A booked appointment takes one desk for each grid step of its length: one
``DeskHold`` row per (office, desk, step start), unique — so two people cannot take the last desk
of a slot, on SQLite as on PostgreSQL (the second insert fails and the booking answers "taken").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Location, Organisation
from okienko.clients.models import Client
from okienko.jobs.seekers.models import PortalAccount


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(models.Model):
    """When and how many clients an office receives by appointment."""

    office = models.OneToOneField(
        Organisation, verbose_name=_("office"), on_delete=models.CASCADE, related_name="appointment_schedule"
    )
    name = models.CharField(
        _("name"),
        max_length=120,
        blank=True,
        help_text=_("Shown instead of the office's name, e.g. “Filia w Łapach” (empty: the office's name)."),
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("address of the visits"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the office's main seat."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("The grid of the times offered; every visit type's length is a multiple of it."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking ahead (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("the client may cancel until (hours before)"),
        default=24,
        validators=[MaxValueValidator(240)],
    )
    portal_booking = models.BooleanField(_("job seekers book on the portal"), default=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("appointment schedule")
        verbose_name_plural = _("appointment schedules")

    def __str__(self) -> str:
        return self.name or str(self.office)


class VisitType(models.Model):
    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="visit_types"
    )
    name = models.CharField(_("name"), max_length=120)
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    description = models.CharField(_("description for the client"), max_length=300, blank=True)
    portal = models.BooleanField(_("job seekers may book it on the portal"), default=True)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("visit type")
        verbose_name_plural = _("visit types")
        ordering = ["schedule", "order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.minutes} min)"


class WeeklyHours(models.Model):
    """Hours of one weekday when ``desks`` consultants receive clients (a day may have several)."""

    schedule = models.ForeignKey(Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("until"))
    desks = models.PositiveSmallIntegerField(
        _("desks in parallel"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        verbose_name = _("hours of visits")
        verbose_name_plural = _("hours of visits")
        ordering = ["schedule", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="appt_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M} × {self.desks}"


class ScheduleException(models.Model):
    """A day that differs from the week: closed, or open at other hours (also a public holiday)."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="exceptions"
    )
    day = models.DateField(_("day"))
    closed = models.BooleanField(pgettext_lazy("office hours", "closed"), default=True)
    opens = models.TimeField(_("from"), null=True, blank=True)
    closes = models.TimeField(_("until"), null=True, blank=True)
    desks = models.PositiveSmallIntegerField(
        _("desks in parallel"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day with other hours")
        verbose_name_plural = _("days with other hours")
        ordering = ["schedule", "day"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "day"], name="appt_exception_day"),
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="appt_exception_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.reason}".strip()


class Status(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", pgettext_lazy("appointment status", "cancelled")
    ATTENDED = "attended", _("attended")
    NO_SHOW = "no_show", _("did not come")


class Appointment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="appointments")
    office = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="appointments"
    )
    visit_type = models.ForeignKey(
        VisitType, verbose_name=_("visit type"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    desk = models.PositiveSmallIntegerField(_("desk"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by (staff)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booked_by_account = models.ForeignKey(
        PortalAccount,
        verbose_name=_("booked on the portal by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    notes = models.TextField(_("reason and notes (staff only)"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by_office = models.BooleanField(_("cancelled by the office"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "desk"]
        indexes = [
            models.Index(fields=["office", "starts_at"], name="appt_office_start"),
            models.Index(fields=["client", "starts_at"], name="appt_client_start"),
            models.Index(fields=["status", "reminder_sent_at", "starts_at"], name="appt_reminders"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type.name} {self.starts_at:%Y-%m-%d %H:%M}"


class DeskHold(models.Model):
    """One grid step of one desk taken by a booked appointment (deleted when it is cancelled)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="holds")
    office = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    desk = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()

    class Meta:
        verbose_name = _("taken desk")
        verbose_name_plural = _("taken desks")
        constraints = [models.UniqueConstraint(fields=["office", "starts_at", "desk"], name="appt_one_per_desk")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} #{self.desk}"

"""Trainings, events (job fairs, information days, recruitment meetings) and registrations for
them (issue 19, item 7), and the announcements sent to matching job seekers (item 6).

An item is organised by a labour office: a regional office (WUP) publishes region-wide items, a
county office (PUP) its own (shown region-wide on the portal, labelled with the office). The
places are counted in ``taken``, changed only by a conditional ``UPDATE … WHERE taken < capacity``
(``actions.register``), so two people cannot both get the last place. A ``Registration`` names
either a portal account or a guest (name, e-mail, phone); ``person_key`` makes it unique per
person and item. An ``Announcement`` is one item told to one client, stored once (never twice).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.clients.models import Client
from okienko.jobs.events.states import EventKind, Funding, ItemStatus, RegistrationStatus
from okienko.jobs.models import teryt_validator
from okienko.jobs.seekers.models import PortalAccount


def _list() -> list[Any]:
    return []


class ItemQuerySet(models.QuerySet[Any]):
    def published(self) -> ItemQuerySet:
        return self.filter(status=ItemStatus.PUBLISHED)


class Item(models.Model):
    """What trainings and events share."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.ForeignKey(
        Organisation,
        verbose_name=_("organising office"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A regional office publishes region-wide items, a county office its own."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (sanitised HTML)"), blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), default=20, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    waiting_list = models.BooleanField(_("waiting list when full"), default=True)
    registration_open = models.BooleanField(_("registration open"), default=True)
    occupations = models.JSONField(_("occupations (KZiS)"), default=_list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    title_keys = models.TextField(_("search keys: title"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[ItemQuerySet] = ItemQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def region_wide(self) -> bool:
        return self.office.kind == Organisation.Kind.REGION_OFFICE


class Training(Item):
    provider = models.CharField(_("training provider"), max_length=250)
    start_date = models.DateField(_("starts on"))
    end_date = models.DateField(_("ends on"))
    hours = models.PositiveSmallIntegerField(
        _("hours"), default=40, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    online = models.BooleanField(_("online"), default=False)
    place_locality = models.CharField(_("locality"), max_length=120, blank=True)
    place_teryt = models.CharField(_("place (TERYT)"), max_length=7, blank=True, validators=[teryt_validator])
    cost = models.DecimalField(
        _("cost (PLN)"), max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    funding = models.CharField(_("funding"), max_length=12, choices=Funding.choices, default=Funding.LABOUR_FUND)
    registration_deadline = models.DateField(_("registration until"), null=True, blank=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["start_date", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "start_date"], name="events_training_status_start"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="events_training_dates"
            ),
            models.CheckConstraint(condition=models.Q(taken__lte=models.F("capacity")), name="events_training_taken"),
        ]

    @property
    def free(self) -> bool:
        return self.cost == 0 or self.funding != Funding.PARTICIPANT


class Event(Item):
    kind = models.CharField(_("kind of event"), max_length=12, choices=EventKind.choices, default=EventKind.JOB_FAIR)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    online = models.BooleanField(_("online"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    place_teryt = models.CharField(_("place (TERYT)"), max_length=7, blank=True, validators=[teryt_validator])
    online_link = models.CharField(
        _("link to the online meeting"), max_length=500, blank=True, help_text=_("Shown as text, not as a link.")
    )

    class Meta:
        verbose_name = pgettext_lazy("labour market event", "event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "starts_at"], name="events_event_status_start"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")), name="events_event_times"),
            models.CheckConstraint(condition=models.Q(taken__lte=models.F("capacity")), name="events_event_taken"),
        ]


class Registration(models.Model):
    """One person registered for a training or an event (exactly one of them)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    training = models.ForeignKey(
        Training,
        verbose_name=_("training"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=pgettext_lazy("labour market event", "event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    account = models.ForeignKey(
        PortalAccount,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    person_key = models.CharField(_("person"), max_length=260, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    created_at = models.DateTimeField(_("registered at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(training__isnull=True, event__isnull=False)
                | models.Q(training__isnull=False, event__isnull=True),
                name="events_registration_one_item",
            ),
            models.UniqueConstraint(
                fields=["training", "person_key"],
                condition=models.Q(training__isnull=False),
                name="events_registration_training_person",
            ),
            models.UniqueConstraint(
                fields=["event", "person_key"],
                condition=models.Q(event__isnull=False),
                name="events_registration_event_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.item}"

    @property
    def item(self) -> Training | Event:
        found = self.training or self.event
        assert found is not None
        return found


class Announcement(models.Model):
    """One published item told to one job seeker (stored once: never announced twice)."""

    training = models.ForeignKey(
        Training, verbose_name=_("training"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=pgettext_lazy("labour market event", "event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="event_announcements"
    )
    account = models.ForeignKey(
        PortalAccount,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    reason = models.CharField(_("why"), max_length=20)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("event announcement", "announcement")
        verbose_name_plural = _("announcements")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["training", "client"], condition=models.Q(training__isnull=False), name="events_ann_training"
            ),
            models.UniqueConstraint(
                fields=["event", "client"], condition=models.Q(event__isnull=False), name="events_ann_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} ← {self.training_id or self.event_id}"


class AnnouncementOptOut(models.Model):
    """A job seeker who does not want announcements of trainings and events."""

    client = models.OneToOneField(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="event_announcement_opt_out"
    )
    how = models.CharField(_("how"), max_length=10)
    created_at = models.DateTimeField(_("opted out at"))

    class Meta:
        verbose_name = _("opt-out from announcements")
        verbose_name_plural = _("opt-outs from announcements")

    def __str__(self) -> str:
        return str(self.client_id)

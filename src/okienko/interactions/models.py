"""Contacts with clients on every channel (one history per client) and callback / hand-off tasks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.actors import Actor
from okienko.core.choices import Channel
from okienko.core.files import StoredFile

# Channels of paper and in-person contacts registered at the desk with a receipt date (issue 14).
PAPER_CHANNELS = (Channel.LETTER, Channel.FAX, Channel.COUNTER)


class InteractionQuerySet(models.QuerySet["Interaction"]):
    def visible_to(self, user: Actor) -> InteractionQuerySet:
        """Contacts recorded in organisations where ``user`` may see clients' data."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        return self.filter(organisation__in=access.organisations_with(user, Perm.CLIENTS_VIEW))


class Interaction(models.Model):
    """One contact with a client (or an anonymous caller) on one channel."""

    class Direction(models.TextChoices):
        IN = "in", _("incoming")
        OUT = "out", _("outgoing")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("answered at first contact")
        CASE_OPENED = "case_opened", _("case opened")
        TRANSFERRED = "transferred", _("transferred")
        CALLBACK_REQUESTED = "callback_requested", _("callback requested")
        OTHER = "other", pgettext_lazy("interaction outcome", "other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.IN)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="interactions"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    question = models.CharField(_("question or subject"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.ANSWERED)
    notes = models.TextField(_("notes"), blank=True)
    # An anonymous caller's self-description (name, phone) when no client record is used.
    contact_name = models.CharField(_("caller's name"), max_length=200, blank=True)
    contact_detail = models.CharField(_("caller's phone or e-mail"), max_length=254, blank=True)
    # Letters and faxes: the sender's reference number, the sender's postal address when no client
    # record is used, and when the office received it (the SLA clock of a case opened from it
    # starts then, ADR 0054).
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    contact_address = models.CharField(_("sender's address"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received on"), null=True, blank=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-started_at"], name="interaction_client_idx"),
            # Report rollups recompute one office's contacts of one day (issue 20, ADR 0067).
            models.Index(fields=["organisation", "started_at"], name="interaction_org_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"


class CallbackQuerySet(models.QuerySet["Callback"]):
    def open(self) -> CallbackQuerySet:
        return self.filter(status=Callback.Status.CREATED)

    def for_target(self, user: Actor) -> CallbackQuerySet:
        """Callbacks addressed to ``user`` or to a unit where ``user`` records contacts."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        units = access.organisations_with(user, Perm.INTERACTIONS_RECORD)
        return self.filter(models.Q(target_user=user) | models.Q(target_user__isnull=True, target_unit__in=units))

    def visible_to(self, user: Actor) -> CallbackQuerySet:
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        units = access.organisations_with(user, Perm.INTERACTIONS_RECORD)
        return self.filter(
            models.Q(target_user=user) | models.Q(target_unit__in=units) | models.Q(organisation__in=units)
        )


class Callback(models.Model):
    """A request to call the client back, or a hand-off to another unit or person."""

    class Status(models.TextChoices):
        CREATED = "created", _("open")
        DONE = "done", pgettext_lazy("callback outcome", "done")
        FAILED = "failed", pgettext_lazy("callback outcome", "failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="callbacks"
    )
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    target_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("target unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_received",
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("target person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_received",
    )
    phone = models.CharField(_("phone to call"), max_length=40, blank=True)
    reason = models.TextField(_("reason"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.CREATED)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="callbacks_created"
    )
    created_at = models.DateTimeField(_("created at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_unit__isnull=False) | models.Q(target_user__isnull=False),
                name="callback_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason[:60]} ({self.due_at:%Y-%m-%d %H:%M})"


class InteractionAttachment(StoredFile):
    """A scan of a letter or fax (or a document handed in at the counter) kept with the contact."""

    STORAGE_FOLDER = "interactions"

    interaction = models.ForeignKey(
        Interaction, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["interaction", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

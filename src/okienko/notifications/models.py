"""Templates, clients' preferences, the messages sent and the satisfaction survey."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.workqueue import Claimable


class Event(models.TextChoices):
    """What a notification tells. The keys are stable: templates and preferences refer to them."""

    CASE_REGISTERED = "case_registered", _("case registered")
    CASE_ASSIGNED = "case_assigned", _("case passed to the responsible unit")
    INFO_REQUESTED = "info_requested", _("information requested from the client")
    STATUS_CHANGED = "status_changed", _("status changed")
    CASE_RESOLVED = "case_resolved", _("case resolved")
    CASE_REOPENED = "case_reopened", _("case reopened")
    CASE_MESSAGE = "case_message", _("message from the office about a case")
    CALLBACK_SCHEDULED = "callback_scheduled", _("callback scheduled")
    CALLBACK_CLOSED = "callback_closed", _("callback made (or the client not reached)")
    MESSAGE_RECEIVED = "message_received", _("acknowledgement of a received e-mail")
    EMAIL_ANSWER = "email_answer", _("answer to a client's e-mail")
    SMS_OPTED_OUT = "sms_opted_out", _("confirmation of an SMS opt-out")
    SMS_STATUS = "sms_status", _("case status asked for by SMS")
    REVIEW_DUE = "review_due", _("knowledge article due for review")
    CHAT_TRANSCRIPT = "chat_transcript", _("transcript of a chat")
    CONTRACT_MESSAGE = "contract_message", _("message between a labour office and an agency (Kontraktor)")
    JOB_ALERT = "job_alert", _("new job offers for a saved search")
    APPOINTMENT_BOOKED = "appointment_booked", _("appointment at the office booked")
    APPOINTMENT_REMINDER = "appointment_reminder", _("reminder of tomorrow's appointment at the office")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("appointment cancelled by the office")
    JOB_ANNOUNCEMENT = "job_announcement", _("a training or job fair for a matching job seeker")
    JOB_EVENT_PROMOTED = "job_event_promoted", _("a place freed for someone on a waiting list (training, job fair)")
    JOB_APPLICATION = "job_application", _("a new application for an employer's job offer")
    HOTSPOT_FLAGGED = "hotspot_flagged", _("an early warning: a sudden cluster of cases in one place (staff)")


class Channel(models.TextChoices):
    """The channels a notification can go out on (the transports registered for them send it)."""

    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class Language(models.TextChoices):
    PL = "pl", _("Polish")
    EN = "en", _("English")


class NotificationTemplate(models.Model):
    """A staff-edited wording of one event on one channel in one language, for one organisation
    (and the units below it) or, without an organisation, for every office. Where none is stored
    the shipped wording (``notifications.defaults``) is used."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_templates",
        help_text=_("Empty: used by every office that has no wording of its own."),
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.PL)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("changed at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "event", "channel", "language"], name="notification_template_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "channel", "language"],
                condition=models.Q(organisation__isnull=True),
                name="notification_template_global_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_channel_display()} · {self.language}"


class Preference(models.Model):
    """How a client wants to be told: on which channel, in which language, and when not (SMS)."""

    class Choice(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        NONE = "none", _("do not inform me")

    client = models.OneToOneField(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    channel = models.CharField(_("inform me by"), max_length=8, choices=Choice.choices, default=Choice.EMAIL)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.PL)
    quiet_from = models.TimeField(_("no SMS from"), null=True, blank=True)
    quiet_until = models.TimeField(_("no SMS until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.channel}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_case(self, case: Any) -> NotificationQuerySet:
        return self.filter(case=case).order_by("-created_at", "-id")


class Notification(Claimable):
    """One message to one recipient on one channel: rendered when queued, sent by the worker.

    ``key`` makes it idempotent: the same event for the same recipient and channel is stored once,
    however often the event is delivered to the subscriber."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", pgettext_lazy("delivery status", "delivered")
        EXPIRED = "expired", _("expired")
        BOUNCED = "bounced", _("bounced")
        FAILED = "failed", _("failed")
        SUPPRESSED = "suppressed", _("not sent")

    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_name = models.CharField(_("recipient's name"), max_length=200, blank=True)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.PL)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML version"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True, db_index=True)
    # The operator's ids of an SMS (one per segment), to match its delivery reports.
    provider_id = models.CharField(_("operator's id"), max_length=200, blank=True, db_index=True)
    segments = models.PositiveSmallIntegerField(_("SMS segments"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=998, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    available_at = models.DateTimeField(_("due at"), db_index=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Public files of the case sent with the message (the case keeps them; nothing is copied).
    attachments = models.ManyToManyField(
        "cases.CaseAttachment", verbose_name=_("attached files"), blank=True, related_name="+"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "available_at"], name="notification_due_idx"),
            models.Index(fields=["case", "-created_at"], name="notification_case_idx"),
            models.Index(fields=["client", "-created_at"], name="notification_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def deferred(self) -> bool:
        """Queued again after a failed attempt (the server refused it for now or was down)."""
        return self.status == self.Status.QUEUED and self.attempts > 0

    @property
    def status_label(self) -> str:
        return str(_("deferred")) if self.deferred else str(self.get_status_display())


class SurveyResponse(models.Model):
    """A client's satisfaction with a finished case: 1–5 stars, a comment, may we contact them."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="survey_response"
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Organisation, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    may_contact = models.BooleanField(_("may be contacted"), default=False)
    reopen_requested = models.BooleanField(_("asked to reopen"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="survey_rating_range")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rating}"

    @property
    def unhappy(self) -> bool:
        return self.rating <= UNHAPPY_RATING


UNHAPPY_RATING = 2

"""Webhook subscriptions of external systems and the log of every delivery attempt."""

from __future__ import annotations

import fnmatch
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.workqueue import Claimable


class WebhookSubscription(models.Model):
    """A system's wish to receive events of ``topics`` about ``organisation``'s subtree at ``url``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken",
        verbose_name=_("system (API token)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128, editable=False)
    topics = models.JSONField(_("topics"), default=list, help_text=_('Patterns such as "case.*" or "*".'))
    active = models.BooleanField(pgettext_lazy("webhook subscription", "active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        app_label = "integrations"
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.topics)


class WebhookDelivery(Claimable):
    """One event for one subscription; retried with exponential backoff until it succeeds or dies
    (a work queue, ``webhooks.delivery.WEBHOOKS``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        DEAD = "dead", _("failed for good")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event"))
    topic = models.CharField(_("topic"), max_length=80)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", verbose_name=_("replay of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        app_label = "integrations"
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"],
                condition=models.Q(replay_of__isnull=True),
                name="webhook_delivery_once_per_event",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.topic} → {self.subscription_id} ({self.status})"

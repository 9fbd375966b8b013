"""Audit log, domain-event outbox and demo-data bookkeeping shared by every app."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.core.workqueue import Claimable


class AuditRecord(models.Model):
    """One append-only entry: who did what to which object, when, from where, what changed.

    Entries form a hash chain (``hash`` covers the entry and the previous hash), so a changed
    or deleted row is detected by ``manage.py verify_audit``.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("change")
        ACCESS = "access", _("access to personal data")
        SECURITY = "security", _("security")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHANGE)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64)
    hash = models.CharField(pgettext_lazy("checksum", "hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the tip of the audit hash chain; locking it orders appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"audit chain at #{self.last_id}"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created"), db_index=True)
    topic = models.CharField(_("topic"), max_length=80, db_index=True)
    aggregate_type = models.CharField(_("object type"), max_length=80, blank=True)
    aggregate_id = models.CharField(_("object id"), max_length=64, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.topic} {self.aggregate_type}:{self.aggregate_id}"


class OutboxDelivery(Claimable):
    """The delivery of one event to one subscriber: retried with backoff, then dead-lettered
    (a work queue, ``core.events.OUTBOX``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        DEAD = "dead", _("dead letter")

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    available_at = models.DateTimeField(_("next attempt"))
    done_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="outbox_delivery_once")]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id} ({self.status})"


class DemoLoad(models.Model):
    """Which demo-data loader ran, at which version: ``demo --once`` skips what is current."""

    name = models.CharField(max_length=80, primary_key=True)
    version = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("demo data load")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class WorkerHeartbeat(models.Model):
    """When the scheduler last sent a heartbeat through the outbox and when a worker delivered it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"heartbeat delivered {self.delivered_at}"

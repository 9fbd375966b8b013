"""What an Open311 submission carries beyond the case itself (registered in ``integrations.models``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.core.workqueue import Claimable


class Open311Submission(models.Model):
    """The GeoReport fields of a case filed through ``POST requests`` and the key that filed it."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311_submission"
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken", verbose_name=_("API key"), on_delete=models.PROTECT, related_name="+"
    )
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("submitted at"))

    class Meta:
        app_label = "integrations"
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return f"Open311 {self.case_id}"


class Open311Intake(Claimable):
    """A ``POST requests`` accepted into the intake queue: the durable receipt of what was sent.

    Rows are written once when a request is accepted and turned into a case (or rejected) by the
    intake worker; the receipt fields never change afterwards (ADR 0040). The receipts are a work
    queue (``open311.queue.INTAKE``, ADR 0046): a receipt rejected with a ``last_error`` failed for
    good and is a dead letter.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        OPENED = "opened", _("case opened")
        REJECTED = "rejected", pgettext_lazy("service request status", "rejected")

    token = models.UUIDField(_("token"), unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken", verbose_name=_("API key"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    payload = models.JSONField(pgettext_lazy("HTTP", "request"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="open311_intake",
    )
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        app_label = "integrations"
        verbose_name = _("Open311 queued request")
        verbose_name_plural = _("Open311 queued requests")
        indexes = [
            models.Index(fields=["id"], name="open311_intake_queued", condition=models.Q(state="queued")),
            models.Index(
                fields=["id"],
                name="open311_intake_dead",
                condition=models.Q(state="rejected") & ~models.Q(last_error=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Open311 {self.token} ({self.state})"

"""Saved ad hoc reports and background exports (issue 20, item 5; ADR 0069).

``SavedReport`` keeps a definition (JSON, checked against the whitelist of ``reports.adhoc`` on
save and again on every load); it never carries a scope: whoever runs it sees only what their own
roles let them see. ``ExportJob`` is a large export prepared by a worker (the shared work queue,
ADR 0046) into a stored file that only the person who asked for it may download, until it expires.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.core.files import StoredFile, stored_file_path
from okienko.core.workqueue import Claimable


class SavedReport(models.Model):
    class Sharing(models.TextChoices):
        PRIVATE = "private", _("only me")
        ORGANISATION = "organisation", _("my organisation")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"), default=dict)
    shared = models.CharField(_("shared with"), max_length=12, choices=Sharing.choices, default=Sharing.PRIVATE)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering: ClassVar[list[str]] = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ExportJob(StoredFile, Claimable):
    """One export prepared in the background; ``rows_done`` of ``rows_total`` (an estimate made
    when it was asked for) show its progress; ``cancel_requested`` stops it at the next chunk."""

    STORAGE_FOLDER = "report-exports"

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export state", "waiting")
        DONE = "done", pgettext_lazy("export state", "ready")
        CANCELLED = "cancelled", pgettext_lazy("export state", "cancelled")
        FAILED = "failed", pgettext_lazy("export state", "failed")
        EXPIRED = "expired", pgettext_lazy("export state", "expired")

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    definition = models.JSONField(_("definition"), default=dict)
    detail = models.BooleanField(_("one row per record"), default=True)
    fmt = models.CharField(_("format"), max_length=4)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows_done = models.PositiveBigIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveBigIntegerField(_("rows expected"), default=0)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        indexes: ClassVar[list[Any]] = [models.Index(fields=["status", "id"], name="reports_exportjob_status")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def active(self) -> bool:
        return self.status == self.State.QUEUED

"""Public portal records: residents' "this answers my question" on the report form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Deflection(models.Model):
    """A resident found the answer in a suggested article and filed no report (anonymous telemetry)."""

    article = models.ForeignKey(
        "knowledge.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="deflections"
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("deflected report")
        verbose_name_plural = _("deflected reports")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M}"

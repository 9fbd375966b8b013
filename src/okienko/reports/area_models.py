"""Areas an organisation imports for the desk map (ADR 0071): city districts, osiedla, gminy…

Each is a GeoJSON Polygon or MultiPolygon in WGS84 (longitude, latitude), with its bounding box
for a quick prefilter. Only the importer (``okienko.reports.areas``) writes them, audited; an
import's outcome and rejected features are kept in :class:`AreaImport` for the desk page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AreaKind(models.TextChoices):
    DISTRICT = "district", pgettext_lazy("area kind", "city district")
    OSIEDLE = "osiedle", pgettext_lazy("area kind", "osiedle")
    GMINA = "gmina", pgettext_lazy("area kind", "gmina")
    OTHER = "other", pgettext_lazy("area kind", "other area")


class Area(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(pgettext_lazy("area", "kind"), max_length=20, choices=AreaKind.choices)
    code = models.CharField(pgettext_lazy("area", "code"), max_length=64)
    name = models.CharField(pgettext_lazy("area", "name"), max_length=200)
    geometry = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    south = models.FloatField(_("south edge"))
    west = models.FloatField(_("west edge"))
    north = models.FloatField(_("north edge"))
    east = models.FloatField(_("east edge"))
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["organisation_id", "kind", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "code"], name="report_area_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaImport(models.Model):
    """One import of a boundary file: its counts and rejected features (shown and downloadable)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(pgettext_lazy("area", "kind"), max_length=20, choices=AreaKind.choices)
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    refusal = models.TextField(_("refusal"), blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    rejections = models.JSONField(_("rejected features"), default=list)

    class Meta:
        verbose_name = _("area import")
        verbose_name_plural = _("area imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.imported_at:%Y-%m-%d %H:%M})"

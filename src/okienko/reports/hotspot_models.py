"""Hot spots flagged by the early warning (issue 20, item 4; ``reports.hotspots``).

One row per office (the case's jurisdiction), service, ISO week and grid cell whose count of cases
in the seven days before a detection run was far above the cell's usual weekly rate. Only the
detection writes them (audited); the desk reads them in the reader's scope. No personal data: a
cell centre, counts and the statistic.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HotSpot(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(_("week (its Monday)"))
    latitude = models.DecimalField(_("latitude of the cell centre"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude of the cell centre"), max_digits=9, decimal_places=6)
    cell = models.FloatField(_("cell size (degrees)"))
    count = models.PositiveIntegerField(_("cases in the week"))
    expected = models.FloatField(_("usual weekly rate"))
    p_value = models.FloatField(_("probability under the usual rate"))
    first_flagged_at = models.DateTimeField(_("first flagged at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")
        ordering = ["-week", "-count", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "week", "latitude", "longitude"], name="report_hotspot_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "week"], name="report_hotspot_org_week")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.week} ({self.latitude}, {self.longitude}): {self.count}"

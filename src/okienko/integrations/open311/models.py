"""What an Open311 submission carries beyond the case itself (registered in ``integrations.models``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Submission(models.Model):
    """The GeoReport fields of a case filed through ``POST requests`` and the key that filed it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311_submission")
    api_token = models.ForeignKey("api.ApiToken", on_delete=models.PROTECT, related_name="+")
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

"""An office's SMS identity: the sender name its messages carry and the number that receives
replies (imported by ``channels.models``)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation

# Alphanumeric sender IDs: at most 11 letters or digits (GSM 03.40), no spaces or Polish letters.
sender_name = RegexValidator(r"^[A-Za-z0-9]{1,11}$", _("1 to 11 letters (without Polish ones) or digits."))


class SmsSender(models.Model):
    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="sms_sender"
    )
    name = models.CharField(_("sender name"), max_length=11, validators=[sender_name])
    number = models.CharField(
        _("number receiving replies"),
        max_length=16,
        blank=True,
        help_text=_("In the international format, e.g. +48500100200; empty: replies are not taken."),
    )
    transliterate = models.BooleanField(
        _("write Polish letters without diacritics"),
        default=False,
        help_text=_("A message without Polish letters fits 160 characters instead of 70 and costs less."),
    )
    hourly_limit = models.PositiveSmallIntegerField(
        _("messages to one number per hour"), default=5, help_text=_("More wait for the next hour.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SMS sender")
        verbose_name_plural = _("SMS senders")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

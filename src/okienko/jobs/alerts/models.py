"""Saved searches and the alerts they produce (issue 19, item 6).

A ``SavedSearch`` keeps the portal offer search's filters (``jobs.forms.OfferSearchForm``) and,
denormalised for the matcher, the occupation (KZiS prefix) and area (TERYT prefix) filters: the
matcher looks saved searches up by every prefix of an offer's KZiS code and TERYT code (an index
on both), so a new offer meets only the searches that can match it. An ``Alert`` is one offer
found for one saved search, sent at once or gathered into the daily digest.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.clients.models import Client
from okienko.jobs.models import JobOffer
from okienko.jobs.seekers.models import PortalAccount


def _dict() -> dict[str, Any]:
    return {}


class Frequency(models.TextChoices):
    AT_ONCE = "now", _("at once")
    DAILY = "daily", _("daily digest")


class SavedSearch(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        PortalAccount, verbose_name=_("portal account"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    office = models.ForeignKey(
        Organisation, verbose_name=_("county labour office"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    filters = models.JSONField(_("filters"), default=_dict, blank=True)
    occupation = models.CharField(_("occupation (KZiS prefix)"), max_length=6, blank=True)
    area = models.CharField(_("area (TERYT prefix)"), max_length=7, blank=True)
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    frequency = models.CharField(_("how often"), max_length=5, choices=Frequency.choices, default=Frequency.AT_ONCE)
    active = models.BooleanField(pgettext_lazy("saved search", "active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("last digest at"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["occupation", "area", "active"], name="alerts_search_keys"),
        ]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One offer found for one saved search."""

    search = models.ForeignKey(
        SavedSearch, verbose_name=_("saved search"), on_delete=models.CASCADE, related_name="alerts"
    )
    offer = models.ForeignKey(JobOffer, verbose_name=_("job offer"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("job alert")
        verbose_name_plural = _("job alerts")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["search", "offer"], name="alerts_alert_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.search} → {self.offer_id}"

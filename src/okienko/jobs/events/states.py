"""Choices of trainings and events (issue 19, item 7)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", pgettext_lazy("event status", "published")
    CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")
    ARCHIVED = "archived", pgettext_lazy("event status", "archived")


TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.DRAFT: frozenset({ItemStatus.PUBLISHED, ItemStatus.CANCELLED}),
    ItemStatus.PUBLISHED: frozenset({ItemStatus.CANCELLED, ItemStatus.ARCHIVED}),
    ItemStatus.CANCELLED: frozenset({ItemStatus.ARCHIVED}),
    ItemStatus.ARCHIVED: frozenset(),
}


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class Funding(models.TextChoices):
    LABOUR_FUND = "labour_fund", _("Labour Fund (Fundusz Pracy)")
    VOUCHER = "voucher", _("training voucher (bon szkoleniowy)")
    KFS = "kfs", _("National Training Fund (KFS)")
    ESF = "esf", _("European Social Fund Plus (EFS+)")
    PARTICIPANT = "participant", _("paid by the participant")


class EventKind(models.TextChoices):
    JOB_FAIR = "job_fair", _("job fair")
    INFO_DAY = "info_day", _("information day")
    RECRUITMENT = "recruitment", _("recruitment meeting")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("registration status", "registered")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "cancelled")

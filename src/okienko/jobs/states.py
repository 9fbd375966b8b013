"""Choices and the job offer's state machine (issue 19, item 2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EmployerStatus(models.TextChoices):
    PENDING = "pending", _("awaiting verification")
    VERIFIED = "verified", pgettext_lazy("employer status", "verified")
    SUSPENDED = "suspended", pgettext_lazy("employer status", "suspended")


class OfferOrigin(models.TextChoices):
    EMPLOYER = "employer", _("added by the employer")
    OFFICE = "office", _("registered at the office")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting moderation")
    RETURNED = "returned", _("returned for correction")
    REJECTED = "rejected", _("rejected")
    PUBLISHED = "published", pgettext_lazy("job offer status", "published")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ARCHIVED = "archived", pgettext_lazy("job offer status", "archived")


# status → the statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.SUBMITTED, OfferStatus.PUBLISHED, OfferStatus.WITHDRAWN}),
    OfferStatus.SUBMITTED: frozenset(
        {OfferStatus.PUBLISHED, OfferStatus.REJECTED, OfferStatus.RETURNED, OfferStatus.WITHDRAWN}
    ),
    OfferStatus.RETURNED: frozenset({OfferStatus.SUBMITTED, OfferStatus.WITHDRAWN}),
    OfferStatus.REJECTED: frozenset({OfferStatus.ARCHIVED}),
    OfferStatus.PUBLISHED: frozenset({OfferStatus.EXPIRED, OfferStatus.WITHDRAWN}),
    OfferStatus.EXPIRED: frozenset({OfferStatus.ARCHIVED}),
    OfferStatus.WITHDRAWN: frozenset({OfferStatus.ARCHIVED}),
    OfferStatus.ARCHIVED: frozenset(),
}


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class ContractType(models.TextChoices):
    """CBOP's ``rodzajZatrudnienia`` (its dictionary values, shortened)."""

    EMPLOYMENT_INDEFINITE = "employment_indefinite", _("employment contract, indefinite")
    EMPLOYMENT_FIXED = "employment_fixed", _("employment contract, fixed term")
    EMPLOYMENT_TRIAL = "employment_trial", _("employment contract, trial period")
    EMPLOYMENT_REPLACEMENT = "employment_replacement", _("employment contract, replacement")
    MANDATE = "mandate", _("contract of mandate")
    SPECIFIC_WORK = "specific_work", _("contract for specific work")
    AGENCY = "agency", _("agency contract")
    APPOINTMENT = "appointment", pgettext_lazy("contract type", "appointment")
    APPRENTICESHIP = "apprenticeship", _("graduate or student placement")
    VOLUNTEERING = "volunteering", _("volunteering")


# CBOP dictionary text of each contract type (rodzajZatrudnienia) and its short form.
CBOP_CONTRACT: dict[str, tuple[str, str]] = {
    ContractType.EMPLOYMENT_INDEFINITE: ("Umowa o pracę na czas nieokreślony", "Umowa o pracę"),
    ContractType.EMPLOYMENT_FIXED: ("Umowa o pracę na czas określony", "Umowa o pracę"),
    ContractType.EMPLOYMENT_TRIAL: ("Umowa o pracę na okres próbny", "Umowa o pracę"),
    ContractType.EMPLOYMENT_REPLACEMENT: ("Umowa o pracę w zastępstwie", "Umowa o pracę"),
    ContractType.MANDATE: ("Umowa zlecenie/ umowa o świadczenie usług", "Umowa zlecenie"),
    ContractType.SPECIFIC_WORK: ("Umowa o dzieło", "Umowa o dzieło"),
    ContractType.AGENCY: ("Umowa agencyjna", "Inny"),
    ContractType.APPOINTMENT: ("Powołanie", "Inny"),
    ContractType.APPRENTICESHIP: ("Praktyka absolwencka", "Inny"),
    ContractType.VOLUNTEERING: ("Wolontariat", "Inny"),
}


class Shifts(models.TextChoices):
    ONE = "one", _("one shift")
    TWO = "two", _("two shifts")
    THREE = "three", _("three shifts")
    CONTINUOUS = "continuous", _("continuous operation")
    FLEXIBLE = "flexible", _("flexible hours")


class WorkMode(models.TextChoices):
    ON_SITE = "on_site", _("on site")
    REMOTE = "remote", _("remote")
    HYBRID = "hybrid", _("hybrid")


class PayPeriod(models.TextChoices):
    MONTH = "month", _("month")
    HOUR = "hour", _("hour")


class ContactPreference(models.TextChoices):
    """CBOP's ``sposobAplikowania``: U — through the county office, P — directly to the employer."""

    OFFICE = "U", _("through the county labour office")
    EMPLOYER = "P", _("directly to the employer")

"""Employers and job offers (issue 19, items 1–2).

An ``Employer`` is a company known by its NIP, verified by a county labour office; portal users
(``accounts.User`` without staff roles) act for it through ``EmployerMembership``. A ``JobOffer``
follows the field list of the offices' central offer database (CBOP, ``docs/jobs.md``) and the
state machine in ``states.py``: employers' offers wait in the office's moderation queue, offers
registered at the office are verified at once. The search keys (``*_keys``) are written by
``search.index_offer``; PostgreSQL adds a generated ``search_vector`` column and SQLite an FTS5
table ``jobs_offer_fts`` in the migration (ADR 0065).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.clients.identifiers import validate_nip
from okienko.jobs.states import (
    ContactPreference,
    ContractType,
    EmployerStatus,
    OfferOrigin,
    OfferStatus,
    PayPeriod,
    Shifts,
    WorkMode,
)

teryt_validator = RegexValidator(r"^\d{2}(\d{2}(\d{3})?)?$", _("A TERYT code has 2, 4 or 7 digits."), "teryt")
kzis_validator = RegexValidator(r"^\d{6}$", _("An occupation code (KZiS) has 6 digits."), "kzis")
regon_validator = RegexValidator(r"^(\d{9}|\d{14})$", _("A REGON number has 9 or 14 digits."), "regon")


def nip_validator(value: str) -> None:
    validate_nip(value)


class EmployerQuerySet(models.QuerySet["Employer"]):
    def verified(self) -> EmployerQuerySet:
        return self.filter(status=EmployerStatus.VERIFIED)


class Employer(models.Model):
    """A company or institution offering work, verified by its county labour office."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=250)
    nip = models.CharField(_("NIP"), max_length=10, unique=True, validators=[nip_validator])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[regon_validator])
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=6, blank=True, validators=[RegexValidator(r"^\d{2}-\d{3}$", _("Use 00-000."))]
    )
    locality = models.CharField(_("locality"), max_length=120)
    teryt_code = models.CharField(_("TERYT code of the municipality"), max_length=7, validators=[teryt_validator])
    office = models.ForeignKey(
        Organisation,
        verbose_name=_("county labour office"),
        on_delete=models.PROTECT,
        related_name="employers",
        help_text=_("The office that verifies the employer and moderates its offers."),
    )
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EmployerStatus.choices, default=EmployerStatus.PENDING, db_index=True
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_reason = models.CharField(_("reason of the status"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects: ClassVar[EmployerQuerySet] = EmployerQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (NIP {self.nip})"

    @property
    def is_verified(self) -> bool:
        return self.status == EmployerStatus.VERIFIED


class EmployerMembership(models.Model):
    """A user account acting for an employer: a portal user (no staff roles needed) or staff."""

    class Role(models.TextChoices):
        OWNER = "owner", _("administrator of the employer's account")
        RECRUITER = "recruiter", _("recruiter")

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="employer_memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.RECRUITER)
    active = models.BooleanField(pgettext_lazy("employer membership", "active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer membership")
        verbose_name_plural = _("employer memberships")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["employer", "user"], name="jobs_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.employer.name}"


class JobOfferQuerySet(models.QuerySet["JobOffer"]):
    def published(self) -> JobOfferQuerySet:
        return self.filter(status=OfferStatus.PUBLISHED)

    def in_moderation(self) -> JobOfferQuerySet:
        return self.filter(status=OfferStatus.SUBMITTED)


def _list_default() -> list[Any]:
    return []


class JobOffer(models.Model):
    """A job offer, shaped after CBOP's exported fields (``docs/jobs.md`` maps them)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin = models.CharField(_("origin"), max_length=10, choices=OfferOrigin.choices, default=OfferOrigin.EMPLOYER)
    employer = models.ForeignKey(Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="offers")
    office = models.ForeignKey(
        Organisation,
        verbose_name=_("county labour office"),
        on_delete=models.PROTECT,
        related_name="job_offers",
        help_text=_("The office that moderates the offer."),
    )
    # Position and occupation
    title = models.CharField(_("position"), max_length=200)
    occupation_code = models.CharField(
        _("occupation (KZiS)"), max_length=6, blank=True, db_index=True, validators=[kzis_validator]
    )
    occupation_edition = models.CharField(_("edition of the classification"), max_length=4, default="2023")
    occupation_suggestions = models.JSONField(_("suggested occupations"), default=_list_default, blank=True)
    # Place of work
    place_teryt = models.CharField(_("place of work (TERYT)"), max_length=7, validators=[teryt_validator])
    place_locality = models.CharField(_("locality"), max_length=120)
    place_street = models.CharField(_("street and number"), max_length=200, blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    work_mode = models.CharField(_("mode of work"), max_length=10, choices=WorkMode.choices, default=WorkMode.ON_SITE)
    # Terms
    posts = models.PositiveSmallIntegerField(
        _("number of posts"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    contract_type = models.CharField(_("contract"), max_length=24, choices=ContractType.choices)
    working_time = models.DecimalField(
        _("working time (fraction of full time)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
    )
    shifts = models.CharField(_("shifts"), max_length=12, choices=Shifts.choices, default=Shifts.ONE)
    hours_note = models.CharField(_("working hours"), max_length=300, blank=True)
    pay_min = models.DecimalField(_("pay from"), max_digits=10, decimal_places=2, null=True, blank=True)
    pay_max = models.DecimalField(_("pay up to"), max_digits=10, decimal_places=2, null=True, blank=True)
    pay_currency = models.CharField(_("currency"), max_length=3, default="PLN")
    pay_period = models.CharField(_("pay per"), max_length=6, choices=PayPeriod.choices, default=PayPeriod.MONTH)
    pay_note = models.CharField(_("pay: other components"), max_length=500, blank=True)
    # Requirements (structured lists and free text)
    education = models.JSONField(_("education"), default=_list_default, blank=True)
    experience_years = models.PositiveSmallIntegerField(_("experience (years)"), null=True, blank=True)
    skills = models.JSONField(_("skills"), default=_list_default, blank=True)
    languages = models.JSONField(_("languages"), default=_list_default, blank=True)
    driving_licences = models.JSONField(_("driving licences"), default=_list_default, blank=True)
    requirements_text = models.TextField(_("other requirements"), blank=True)
    description = models.TextField(_("description (sanitised HTML)"), blank=True)
    # Validity and contact
    valid_from = models.DateField(pgettext_lazy("job offer", "valid from"))
    valid_until = models.DateField(pgettext_lazy("job offer", "valid until"), db_index=True)
    contact_preference = models.CharField(
        _("how to apply"), max_length=2, choices=ContactPreference.choices, default=ContactPreference.OFFICE
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Moderation
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT, db_index=True
    )
    verified = models.BooleanField(
        pgettext_lazy("job offer", "verified"),
        default=False,
        help_text=_("Registered at the office, or from a verified employer."),
    )
    flags = models.JSONField(_("moderator hints"), default=_list_default, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    historical = models.BooleanField(
        _("historical (before pay transparency)"),
        default=False,
        help_text=_("Imported offer published before 24 December 2025: no pay range required."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Search keys (analysed, folded): see search.py
    title_keys = models.TextField(_("search keys: position"), blank=True, editable=False)
    occupation_keys = models.TextField(_("search keys: occupation"), blank=True, editable=False)
    body_keys = models.TextField(_("search keys: description"), blank=True, editable=False)

    objects: ClassVar[JobOfferQuerySet] = JobOfferQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")
        ordering = ["-published_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "place_teryt"], name="jobs_offer_status_place"),
            models.Index(fields=["status", "occupation_code"], name="jobs_offer_status_occ"),
            models.Index(fields=["status", "latitude", "longitude"], name="jobs_offer_status_geo"),
            models.Index(fields=["office", "status"], name="jobs_offer_office_status"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(pay_min__isnull=True)
                | models.Q(pay_max__isnull=True)
                | models.Q(pay_max__gte=models.F("pay_min")),
                name="jobs_offer_pay_range_order",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="jobs_offer_validity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.employer.name}"

    def clean(self) -> None:
        if self.pay_min is not None and self.pay_max is not None and self.pay_max < self.pay_min:
            raise ValidationError({"pay_max": _("The upper end of the pay range is below the lower end.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The offer cannot end before it starts.")})


class SearchForm(models.Model):
    """Folded inflected form → lemma key, for the lemmas met in indexed offers (so that a query
    typed without Polish letters, "kierowcow", meets "kierowców"; ADR 0020 as in knowledge)."""

    form = models.CharField(pgettext_lazy("word form", "form"), max_length=40, primary_key=True)
    lemma = models.CharField(_("lemma"), max_length=40, db_index=True)

    class Meta:
        verbose_name = _("search form")
        verbose_name_plural = _("search forms")

    def __str__(self) -> str:
        return f"{self.form} → {self.lemma}"


class EmployerInvitationQuerySet(models.QuerySet["EmployerInvitation"]):
    def pending(self, now: Any) -> EmployerInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)


class EmployerInvitation(models.Model):
    """An employer's owner invites a colleague by e-mail to act for the employer (``jobs.team``).

    Only a SHA-256 of the random token in the e-mailed link is kept: whoever reads the database
    cannot accept an invitation. It is pending until accepted, cancelled or ``expires_at``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=12, choices=EmployerMembership.Role.choices, default=EmployerMembership.Role.RECRUITER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects: ClassVar[EmployerInvitationQuerySet] = EmployerInvitationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("invitation to an employer's team")
        verbose_name_plural = _("invitations to employers' teams")
        ordering = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["employer", "email"], name="jobs_invitation_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.employer.name}"

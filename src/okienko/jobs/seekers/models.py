"""Portal accounts, CVs and what employers do with them (issue 19, items 1 and 4).

A ``PortalAccount`` is an ``accounts.User`` that holds no staff role and can never sign in on the
staff side: its Django password is unusable, the portal keeps its own password hash and signs
it in under its own session key (``okienko.jobs.seekers.signin``). A job seeker's account is
linked to the ``clients.Client`` (client number + PIN, or e-mail registration that creates one);
an employer user's account is linked to ``jobs.Employer`` through ``EmployerMembership``.

A ``CV`` belongs to a client. Employers find it only while its ``consent`` points at a current
``SearchConsent`` (granted, not withdrawn): every candidate-search query filters on that join, so
a withdrawal hides the profile from the next request on. The search keys are kept in
``CVOccupation``/``CVArea``/``CVSkill`` rows (one per code or skill) with plain b-tree indexes;
a KZiS or TERYT prefix becomes a range (``code >= '9321' AND code < '9322'``).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.clients.models import Client
from okienko.core.files import StoredFile
from okienko.jobs.models import Employer, kzis_validator, teryt_validator


def _list() -> list[Any]:
    return []


def new_pseudonym() -> str:
    """``K-`` and six hex digits: how an employer names a candidate before contact is accepted."""
    return "K-" + secrets.token_hex(3).upper()


class PortalAccount(models.Model):
    """A portal user: a job seeker (linked to a client) or an employer's user."""

    class Kind(models.TextChoices):
        SEEKER = "seeker", _("job seeker")
        EMPLOYER = "employer", _("employer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="portal_account"
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_accounts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("e-mail"), null=True, blank=True, unique=True)
    password_hash = models.CharField(_("password (hashed)"), max_length=200, blank=True, editable=False)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    deletion_requested_at = models.DateTimeField(_("deletion requested at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email or (self.client.number if self.client else self.pk)}"


class WorkingTime(models.TextChoices):
    FULL = "full", _("full time")
    PART = "part", _("part time")
    ANY = "any", _("full or part time")


class CV(models.Model):
    """A job seeker's CV; searchable by verified employers only while ``consent`` is current."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.OneToOneField(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="cv")
    pseudonym = models.CharField(_("pseudonym"), max_length=12, unique=True, default=new_pseudonym)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    education = models.JSONField(_("education"), default=_list, blank=True)
    experience = models.JSONField(_("experience"), default=_list, blank=True)
    skills = models.JSONField(_("skills"), default=_list, blank=True)
    languages = models.JSONField(_("languages"), default=_list, blank=True)
    driving_licences = models.JSONField(_("driving licences"), default=_list, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    areas = models.JSONField(_("preferred area (TERYT)"), default=_list, blank=True)
    working_time = models.CharField(_("working time"), max_length=4, choices=WorkingTime.choices, default="any")
    main_occupation = models.CharField(
        _("main occupation (KZiS)"), max_length=6, blank=True, validators=[kzis_validator]
    )
    experience_years = models.PositiveSmallIntegerField(_("experience (years)"), default=0)
    consent = models.ForeignKey(
        "SearchConsent",
        verbose_name=_("current consent to be found"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("CV")
        verbose_name_plural = _("CVs")

    def __str__(self) -> str:
        return self.pseudonym


class SearchConsent(models.Model):
    """One consent to be found by employers: given (with the text's version) and maybe withdrawn."""

    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="consents")
    text_version = models.CharField(_("version of the consent text"), max_length=20)
    granted_at = models.DateTimeField(_("granted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to be found by employers")
        verbose_name_plural = _("consents to be found by employers")
        ordering = ["-granted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cv} {self.text_version} {self.granted_at:%Y-%m-%d}"


class CVOccupation(models.Model):
    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="occupation_keys")
    code = models.CharField(_("occupation (KZiS)"), max_length=6, validators=[kzis_validator])

    class Meta:
        verbose_name = _("occupation of a CV")
        verbose_name_plural = _("occupations of CVs")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["code", "cv"], name="seekers_occ_code")]

    def __str__(self) -> str:
        return self.code


class CVArea(models.Model):
    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="area_keys")
    teryt = models.CharField(_("TERYT code"), max_length=7, validators=[teryt_validator])

    class Meta:
        verbose_name = _("preferred area of a CV")
        verbose_name_plural = _("preferred areas of CVs")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["teryt", "cv"], name="seekers_area_teryt")]

    def __str__(self) -> str:
        return self.teryt


class CVSkill(models.Model):
    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="skill_keys")
    key = models.CharField(_("skill (folded)"), max_length=80)

    class Meta:
        verbose_name = _("skill of a CV")
        verbose_name_plural = _("skills of CVs")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["key", "cv"], name="seekers_skill_key")]

    def __str__(self) -> str:
        return self.key


class ContactRequest(models.Model):
    """An employer asks a candidate for contact; only an accepted request reveals who they are."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting the answer")
        ACCEPTED = "accepted", pgettext_lazy("contact request status", "accepted")
        DECLINED = "declined", _("declined")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="contact_requests")
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="contact_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.employer.name} → {self.cv}"


class ProfileView(models.Model):
    """An employer's user opened a candidate's profile (shown to the candidate)."""

    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="views")
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="profile_views"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewed_at = models.DateTimeField(_("viewed at"), db_index=True)

    class Meta:
        verbose_name = _("view of a CV by an employer")
        verbose_name_plural = _("views of CVs by employers")
        ordering = ["-viewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.employer.name} → {self.cv} {self.viewed_at:%Y-%m-%d %H:%M}"


class CVFile(StoredFile):
    """The job seeker's own CV document (PDF, OpenDocument or Word; checked by its bytes, not its
    name), sent with the applications they choose. One per CV; a new one replaces it."""

    STORAGE_FOLDER: ClassVar[str] = "cv"

    cv = models.OneToOneField(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="file")

    class Meta:
        verbose_name = _("CV document")
        verbose_name_plural = _("CV documents")

    def __str__(self) -> str:
        return self.original_name


class Application(models.Model):
    """A job seeker's answer to a published offer: the employer sees the CV, the letter, the
    candidate's name and contact details (sending the application shares them) and, if attached,
    the CV document; the status is shown to the candidate."""

    class Status(models.TextChoices):
        # A context of their own: the same English words name other things elsewhere ("withdrawn"
        # consent, "sent" message), whose Polish forms differ in gender.
        SENT = "sent", pgettext_lazy("job application", "sent")
        SEEN = "seen", pgettext_lazy("job application", "read by the employer")
        INVITED = "invited", pgettext_lazy("job application", "invited to an interview")
        REJECTED = "rejected", pgettext_lazy("job application", "not selected")
        WITHDRAWN = "withdrawn", pgettext_lazy("job application", "withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        "jobs.JobOffer", verbose_name=_("job offer"), on_delete=models.CASCADE, related_name="applications"
    )
    cv = models.ForeignKey(CV, verbose_name=_("CV"), on_delete=models.CASCADE, related_name="applications")
    letter = models.TextField(_("letter to the employer"), max_length=4000, blank=True)
    with_file = models.BooleanField(_("CV document attached"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(_("sent at"))
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        verbose_name = _("job application")
        verbose_name_plural = _("job applications")
        ordering = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["offer", "cv"],
                condition=~models.Q(status="withdrawn"),
                name="jobs_seekers_one_application_per_offer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cv} → {self.offer_id}"

"""Electronic forms registered per service and every submission received (imported by
``channels.models``; ADR 0056)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.actors import Actor
from okienko.core.files import StoredFile


class EFormQuerySet(models.QuerySet["EForm"]):
    def active(self) -> EFormQuerySet:
        return self.filter(active=True)


class EForm(models.Model):
    """A form an office receives electronically: its XSD schema, the service whose case a
    submission opens, and where in the form data the case's facts are (XPath)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving office"),
        on_delete=models.PROTECT,
        related_name="eforms",
        help_text=_("The office that receives the submissions; the contact is recorded there."),
    )
    code = models.SlugField(
        _("code"), max_length=80, unique=True, help_text=_("Named by the envelope's form attribute.")
    )
    name = models.CharField(_("name"), max_length=200)
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Every valid submission opens a case of this service."),
    )
    schema = models.TextField(
        _("XSD schema"), help_text=_("The W3C XML Schema the form data (the root element inside FormData) must follow.")
    )
    field_mapping = models.JSONField(
        _("field mapping"),
        default=dict,
        blank=True,
        help_text=_(
            "XPath expressions into the form data, by case field: description, reporter_name, reporter_email, "
            "reporter_phone, address, latitude, longitude, attachments (names of the files the form refers to) "
            "and answer:<question code>. Prefixes: the form's namespace is f."
        ),
    )
    signature_required = models.BooleanField(
        _("signature required"), default=False, help_text=_("Unsigned submissions are rejected.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = EFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("electronic form")
        verbose_name_plural = _("electronic forms")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class EFormSubmissionQuerySet(models.QuerySet["EFormSubmission"]):
    def visible_to(self, user: Actor) -> EFormSubmissionQuerySet:
        """Submissions received by organisations where ``user`` records contacts; those whose
        office is unknown (no such form) to superusers only."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        mine = self.filter(organisation__in=access.organisations_with(user, Perm.INTERACTIONS_RECORD))
        if user is not None and getattr(user, "is_superuser", False):
            return mine | self.filter(organisation__isnull=True)
        return mine


class EFormSubmission(StoredFile):
    """One submission as delivered (the raw XML in ``file``, stored once by its SHA-256), what was
    read from it, the signature's verdict, what became of it and the receipt given."""

    STORAGE_FOLDER: ClassVar[str] = "eforms"

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("message status", "received")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        QUARANTINED = "quarantined", _("quarantined")

    class Signature(models.TextChoices):
        VALID = "valid", _("valid")
        INVALID = "invalid", _("invalid")
        ABSENT = "absent", _("not signed")

    class Transport(models.TextChoices):
        FOLDER = "folder", _("drop folder")
        HTTP = "http", _("HTTP interface")
        DEMO = "demo", _("demo data")

    form = models.ForeignKey(
        EForm, verbose_name=_("form"), null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transport = models.CharField(_("delivered by"), max_length=8, choices=Transport.choices)
    system = models.CharField(_("sending system"), max_length=200, blank=True)
    source_name = models.CharField(_("file or reference given"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    form_code = models.CharField(_("form named"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    sender_name = models.CharField(_("sender"), max_length=200, blank=True)
    sender_email = models.CharField(_("sender's e-mail"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    signature = models.CharField(_("signature"), max_length=8, choices=Signature.choices, default=Signature.ABSENT)
    signer_subject = models.CharField(_("signer"), max_length=500, blank=True)
    signer_issuer = models.CharField(_("certificate issuer"), max_length=500, blank=True)
    signer_serial = models.CharField(_("certificate serial number"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signing time claimed"), null=True, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    receipt = models.TextField(_("receipt (signed XML)"), blank=True, editable=False)

    objects = EFormSubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-form submission")
        verbose_name_plural = _("e-form submissions")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sha256"], name="eform_submission_once")]
        indexes = [models.Index(fields=["organisation", "status", "-received_at"], name="eform_queue_idx")]

    def __str__(self) -> str:
        return f"{self.form_code or '?'} {self.sha256[:12]}"

    @property
    def reason_text(self) -> str:
        return "; ".join(str(r) for r in self.reasons)

"""The people a labour office (PUP) has registered as unemployed or job seekers, as imported from
its core system Syriusz, and the imports themselves with the rows they refused.

A person belongs to the office that registered them (``office``) and is known there by the
Syriusz id (``registry_id``); re-importing updates the person, never duplicates them. The person
is local data of the office: contracts with agencies refer to them through participants with a
pseudonymous reference (``okienko.contracting``), never by PESEL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.files import StoredFile
from okienko.core.workqueue import Claimable


class Status(models.TextChoices):
    UNEMPLOYED = "unemployed", _("unemployed")
    JOB_SEEKER = "job_seeker", _("job seeker")
    DEREGISTERED = "deregistered", _("deregistered")


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class ImportBatch(StoredFile, Claimable):
    """One uploaded Syriusz export and what importing it did.

    An export uploaded on the desk waits ``queued`` for the work queue (``registry.queue``); while
    a worker imports it the counters grow chunk by chunk. The stored file holds personal data: it
    is deleted ``OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS`` after the import finished
    (``file_deleted_at``), the batch and its report stay."""

    STORAGE_FOLDER = "registry-imports"

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("imported")
        REFUSED = "refused", _("file refused")
        FAILED = "failed", pgettext_lazy("import status", "failed")

    office = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="registry_batches"
    )
    mapper = models.CharField(_("format"), max_length=40)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(pgettext_lazy("import rows", "rejected"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.RUNNING)
    refusal = models.TextField(_("why the file was refused"), blank=True)
    failure = models.CharField(_("why the import failed"), max_length=300, blank=True)
    total_rows = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    language = models.CharField(_("language of the report"), max_length=10, blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def phase(self) -> str:
        """``queued``, ``running`` (a worker holds it and has started) or the final status."""
        if self.status == self.State.QUEUED and self.started_at is not None:
            return self.State.RUNNING.value
        return str(self.status)

    def phase_label(self) -> str:
        return str(self.State(self.phase).label)

    @property
    def percent(self) -> int:
        """How far the import got (0–100; 0 until the rows were counted)."""
        if not self.total_rows:
            return 100 if self.finished else 0
        return min(100, self.rows * 100 // self.total_rows)


FINISHED = frozenset({ImportBatch.State.DONE, ImportBatch.State.REFUSED, ImportBatch.State.FAILED})


class ImportRejection(models.Model):
    """One problem that kept a row out of the registry (a row may have several)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField(_("row"))
    registry_id = models.CharField(_("Syriusz id"), max_length=40, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    value = models.CharField(_("value"), max_length=120, blank=True)
    code = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.field} {self.reason}"


class RegisteredPerson(models.Model):
    """A person registered by a labour office, as its last import said."""

    office = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="registered_people"
    )
    registry_id = models.CharField(_("Syriusz id"), max_length=40)
    pesel = models.CharField(_("PESEL"), max_length=11, null=True, blank=True, db_index=True)
    document = models.CharField(_("identity document"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    teryt = models.CharField(_("TERYT code"), max_length=7, blank=True)
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    education_level = models.CharField(_("education"), max_length=40, blank=True)
    occupations = models.JSONField(_("occupations"), default=list, blank=True)  # [{"code", "edition"}]
    work_history = models.JSONField(_("work history"), default=list, blank=True)  # [{employer, position, from, to}]
    qualifications = models.JSONField(_("qualifications"), default=list, blank=True)  # [str]
    past_activation = models.JSONField(_("past activation"), default=list, blank=True)  # [{form, from, to}]
    assistance_profile = models.CharField(
        _("assistance profile (historical)"),
        max_length=20,
        blank=True,
        help_text=_("The profile of assistance abolished in 2018; kept only when an old export has it."),
    )
    updated_from_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("last import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registered person")
        verbose_name_plural = _("registered people")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["office", "registry_id"], name="registry_person_unique_in_office"),
        ]
        indexes = [models.Index(fields=["office", "last_name"], name="registry_person_office_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.registry_id})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def education_label(self) -> str:
        from okienko.contracting.registry import validation

        return validation.education_label(self.education_level)


# The fields an import sets (everything the export describes); compared to tell "unchanged".
IMPORTED_FIELDS: tuple[str, ...] = (
    "pesel",
    "document",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "teryt",
    "registered_on",
    "status",
    "education_level",
    "occupations",
    "work_history",
    "qualifications",
    "past_activation",
    "assistance_profile",
)

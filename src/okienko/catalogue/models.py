"""The service catalogue: categories (a tree), services with SLA rules, extra questions, standard texts."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import OfficeHours, Organisation


class ServiceCategory(models.Model):
    """A node of the catalogue tree of one jurisdiction (a city or a regional labour office)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owning office"), on_delete=models.CASCADE, related_name="service_categories"
    )
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["organisation", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="category_code_unique")]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(active=True)

    def public(self) -> ServiceQuerySet:
        return self.filter(active=True, is_public=True)

    def published(self) -> ServiceQuerySet:
        """Public services whose cases public lists show (Open311, the map, open data; ADR 0042)."""
        return self.public().exclude(publication=Service.Publication.PRIVATE)

    def for_organisation(self, organisation: Organisation) -> ServiceQuerySet:
        """Services of the jurisdiction ``organisation`` belongs to (itself or an ancestor)."""
        return self.filter(organisation__in=[organisation, *organisation.ancestors()])


class Service(models.Model):
    """A matter a client can raise: answered on the spot (inquiry) or handled as a case (request)."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("inquiry (answered at first contact)")
        REQUEST = "request", _("request (becomes a case)")

    class Publication(models.TextChoices):
        """What public surfaces (Open311, the status page, the map, open data) show of its cases."""

        PRIVATE = "private", _("not published (the reporter's status page only, without the description)")
        LISTED = "listed", _("listed publicly without the description")
        REDACTED = "redacted", _("listed with the description, personal data removed automatically")
        MODERATED = "moderated", _("listed with the description, personal data removed, after a moderator's approval")

    class SlaBasis(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        WORKING_HOURS = "working_hours", _("working hours")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owning office"), on_delete=models.PROTECT, related_name="services"
    )
    code = models.SlugField(_("code"), max_length=80, help_text=_("Stable identifier, also the Open311 service_code."))
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    public_name = models.CharField(_("public name"), max_length=200)
    internal_name = models.CharField(_("internal name"), max_length=200, blank=True)
    public_description = models.TextField(_("public description"), blank=True)
    internal_description = models.TextField(_("internal description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    responsible_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services_responsible",
    )
    sla_basis = models.CharField(_("SLA basis"), max_length=16, choices=SlaBasis.choices, default=SlaBasis.WORKING_DAYS)
    response_due = models.PositiveIntegerField(
        _("first response within"), null=True, blank=True, help_text=_("In units of the SLA basis.")
    )
    resolve_due = models.PositiveIntegerField(
        _("resolve within"), null=True, blank=True, help_text=_("In units of the SLA basis.")
    )
    location_required = models.BooleanField(_("location required"), default=False)
    is_public = models.BooleanField(_("public (portal, Open311)"), default=True)
    publication = models.CharField(
        _("publication of cases"),
        max_length=10,
        choices=Publication.choices,
        default=Publication.PRIVATE,
        help_text=_(
            "Only published services are offered through Open311 and have their cases listed there. Matters "
            "that are a client's own affairs (benefits, registration, certificates) stay not published."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    search_text = models.TextField(blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["organisation", "category__order", "order", "public_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="service_code_unique"),
            models.CheckConstraint(
                condition=models.Q(response_due__gt=0) | models.Q(response_due__isnull=True),
                name="service_response_due_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(resolve_due__gt=0) | models.Q(resolve_due__isnull=True),
                name="service_resolve_due_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from okienko.core.text import fold

        self.search_text = fold(
            " ".join([self.code.replace("-", " "), self.public_name, self.internal_name, self.keywords])
        )
        super().save(*args, **kwargs)

    def sla_display(self) -> str:
        if not self.resolve_due:
            return "—"
        return f"{self.resolve_due} {self.get_sla_basis_display()}"

    @property
    def has_metadata(self) -> bool:
        """Open311: whether the service has extra questions."""
        return self.questions.exists()


class ServiceQuestion(models.Model):
    """An extra question asked when a case of the service is registered (Open311 attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLEVALUELIST = "singlevaluelist", _("one of a list")
        MULTIVALUELIST = "multivaluelist", _("several of a list")
        LOCATION = "location", _("location")
        NOTICE = "notice", _("notice (blocks registration)")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=80)
    label = models.CharField(_("question"), max_length=300)
    datatype = models.CharField(_("type of answer"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["service", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="question_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_list(self) -> bool:
        return self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)


class ServiceQuestionChoice(models.Model):
    """A value offered by a single- or multi-value list question."""

    question = models.ForeignKey(ServiceQuestion, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(_("key"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")
        ordering = ["question", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="question_choice_unique")]

    def __str__(self) -> str:
        return self.name


class StandardText(models.Model):
    """A reusable answer text (for a service and/or a case status) with ``{placeholders}``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owning office"), on_delete=models.CASCADE, related_name="standard_texts"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.CASCADE, related_name="texts"
    )
    status = models.CharField(_("case status"), max_length=30, blank=True)
    code = models.SlugField(_("code"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Placeholders in braces, e.g. {case_number}, {service}."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("standard text")
        verbose_name_plural = _("standard texts")
        ordering = ["organisation", "title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="standard_text_code_unique")]

    def __str__(self) -> str:
        return self.title


class ServiceHours(models.Model):
    """Hours in which a service is handled (e.g. a hotline until 20:00), used for its deadlines
    instead of the responsible unit's office hours; holidays still come from the calendar."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=OfficeHours.Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["service", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="service_hours_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

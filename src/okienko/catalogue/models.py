"""The service catalogue: categories (a tree), services with SLA rules, extra questions, standard texts."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import OfficeHours, Organisation


class Priority(models.TextChoices):
    """How urgent a case is (defined here so that catalogue rules can set it; cases re-export it)."""

    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class ServiceCategory(models.Model):
    """A node of the catalogue tree of one jurisdiction (a city or a regional labour office)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owning office"), on_delete=models.CASCADE, related_name="service_categories"
    )
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("service category", "parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(pgettext_lazy("service category", "active"), default=True)

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

    def search(self, text: str) -> ServiceQuerySet:
        """Services whose names, code or keywords contain every word of ``text``, without Polish
        letters and case, in most grammatical forms: a word longer than four letters is matched by
        its beginning without the last two (``zasiłku`` finds ``zasiłek``, ``stażu`` finds ``staż``)."""
        from okienko.core.text import fold

        words = fold(text).split()[:8]
        if text.strip() and not words:  # only punctuation: nothing to look for
            return self.none()
        found = self
        for word in words:
            found = found.filter(search_text__contains=word if len(word) <= 4 else word[: max(4, len(word) - 2)])
        return found

    def for_organisation(self, organisation: Organisation) -> ServiceQuerySet:
        """Services of the jurisdiction ``organisation`` belongs to (itself or an ancestor)."""
        return self.filter(organisation__in=[organisation, *organisation.ancestors()])


class Service(models.Model):
    """A matter a client can raise: answered on the spot (inquiry) or handled as a case (request)."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("inquiry (answered at first contact)")
        REQUEST = "request", _("request (becomes a case)")

    class CaseType(models.TextChoices):
        """The legal kind of the matter, for the qualitative reports: complaints (KPA art. 227),
        appeals and requests for review, petitions (ustawa o petycjach) each run on a statutory
        deadline of their own."""

        ORDINARY = "ordinary", pgettext_lazy("case type", "ordinary matter")
        COMPLAINT = "complaint", pgettext_lazy("case type", "complaint")
        APPEAL = "appeal", pgettext_lazy("case type", "appeal or request for review")
        PETITION = "petition", pgettext_lazy("case type", "petition")

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
    case_type = models.CharField(
        pgettext_lazy("service", "case type"),
        max_length=10,
        choices=CaseType.choices,
        default=CaseType.ORDINARY,
        help_text=_(
            "Complaints, appeals and petitions are counted apart in the quality report, "
            "against their statutory deadlines."
        ),
    )
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
    active = models.BooleanField(pgettext_lazy("service", "active"), default=True)
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
        NUMBER = "number", pgettext_lazy("answer kind", "number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLEVALUELIST = "singlevaluelist", _("one of a list")
        MULTIVALUELIST = "multivaluelist", _("several of a list")
        LOCATION = "location", _("location")
        NOTICE = "notice", _("notice (blocks registration)")

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="questions")
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


class PriorityRule(models.Model):
    """Sets a new case's priority (and optionally its deadlines) from the answers to extra questions.

    Every condition of a rule must hold; of the matching rules the first in ``order`` wins. A rule
    without conditions always matches (a service-wide default). See ``okienko.catalogue.rules``.
    """

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="priority_rules"
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Shown to the expert as the reason for the priority.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    sla_basis = models.CharField(
        _("SLA basis"),
        max_length=16,
        choices=Service.SlaBasis.choices,
        blank=True,
        help_text=_("Leave empty to count the deadlines below in the service's basis."),
    )
    response_due = models.PositiveIntegerField(
        _("first response within"), null=True, blank=True, help_text=_("Empty: the service's deadline.")
    )
    resolve_due = models.PositiveIntegerField(
        _("resolve within"), null=True, blank=True, help_text=_("Empty: the service's deadline.")
    )
    active = models.BooleanField(pgettext_lazy("priority rule", "active"), default=True)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority rules")
        ordering = ["service", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_due__gt=0) | models.Q(response_due__isnull=True),
                name="priority_rule_response_due_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(resolve_due__gt=0) | models.Q(resolve_due__isnull=True),
                name="priority_rule_resolve_due_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriorityCondition(models.Model):
    """One condition of a priority rule: the answer to a question compared with a value."""

    class Operator(models.TextChoices):
        EQUALS = "equals", _("is")
        ONE_OF = "one_of", _("is one of")
        GREATER = "gt", pgettext_lazy("comparison", "is greater than")
        LESS = "lt", pgettext_lazy("comparison", "is less than")

    rule = models.ForeignKey(PriorityRule, on_delete=models.CASCADE, related_name="conditions")
    question = models.ForeignKey(
        ServiceQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    operator = models.CharField(_("condition"), max_length=8, choices=Operator.choices, default=Operator.EQUALS)
    value = models.CharField(
        _("value"),
        max_length=300,
        help_text=_(
            "For a list question the key of a choice (several keys separated by commas for 'is one of'); "
            "a number for 'greater/less than'."
        ),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["rule", "id"]

    def __str__(self) -> str:
        return f"{self.question.code} {self.get_operator_display()} {self.value}"

    def clean(self) -> None:
        """The question must be the rule's service's, the value one the question can have."""
        from django.core.exceptions import ValidationError

        from okienko.catalogue.rules import _number, values_of

        if not self.question_id:
            return
        question = self.question
        service_id = self.rule.service_id if PriorityCondition.rule.is_cached(self) or self.rule_id else None
        errors: dict[str, Any] = {}
        if service_id and question.service_id != service_id:
            errors["question"] = _("Choose a question of this rule's service.")
        numeric = self.operator in (self.Operator.GREATER, self.Operator.LESS)
        values = values_of(self.value) if self.operator == self.Operator.ONE_OF else [self.value.strip()]
        if not values or not values[0]:
            errors["value"] = _("Give the value to compare with.")
        elif numeric and (question.datatype != ServiceQuestion.Datatype.NUMBER or _number(self.value) is None):
            errors["value"] = _("'Greater/less than' compares the answer to a number question with a number.")
        elif question.is_list and not numeric:
            keys = set(question.choices.values_list("key", flat=True))
            unknown = [v for v in values if v not in keys]
            if unknown:
                errors["value"] = _("Not a choice of this question: %(values)s. Choices: %(keys)s.") % {
                    "values": ", ".join(unknown),
                    "keys": ", ".join(sorted(keys)),
                }
        if errors:
            raise ValidationError(errors)


class ServiceHours(models.Model):
    """Hours in which a service is handled (e.g. a hotline until 20:00), used for its deadlines
    instead of the responsible unit's office hours; holidays still come from the calendar."""

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="hours")
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

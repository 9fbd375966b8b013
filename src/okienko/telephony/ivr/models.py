"""IVR flows as versioned data: a flow, its numbered versions (draft → published → retired) and
the phone numbers callers dial to reach a flow.

A published version is what callers hear and what the call log's paths refer to, so it never
changes: edits make a new draft, publishing it retires the version before. ``FlowVersion.save``
enforces this whatever path the write takes (admin, shell, import); ``actions`` adds the audit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.telephony.engine.ivr import FlowProblem, validate_flow

# The engine's problem texts (``engine.ivr.MESSAGES``), here so that they are translated.
PROBLEM_TEXTS: dict[str, Any] = {
    "schema": _("Not a valid flow: %(detail)s"),
    "missing_start": _("The start node %(node)s does not exist."),
    "unknown_target": _("%(field)s points to %(target)s, which does not exist."),
    "unreachable": _("No path leads here."),
    "dead_end": _("Does not say where to go next (%(field)s)."),
    "closed_loop": _("These nodes form a loop with no way out: %(nodes)s."),
    "empty_menu": _("The menu has no options."),
    "missing_prompt": _("The prompt %(prompt)s does not exist: record or synthesise it on the prompts page."),
}


def describe(problem: FlowProblem) -> str:
    """The problem in the user's language, prefixed with its node."""
    template = PROBLEM_TEXTS.get(problem.code)
    text = str(template) % dict(problem.params) if template is not None else problem.message
    if problem.node:
        return str(_("Node %(node)s: %(problem)s")) % {"node": problem.node, "problem": text}
    return text


def describe_all(problems: Iterable[FlowProblem]) -> list[str]:
    return [describe(problem) for problem in problems]


def flow_problems(definition: dict[str, Any]) -> list[FlowProblem]:
    """Everything wrong with a flow: the engine's checks (``validate_flow``) and the prompts its
    nodes name that do not exist (the office-qualified ``<office>/<code>`` or a bare code any
    office has)."""
    problems = validate_flow(definition)
    nodes = definition.get("nodes")
    if not isinstance(nodes, dict):
        return problems
    named = {
        str(node_id): str(node["prompt"])
        for node_id, node in nodes.items()
        if isinstance(node, dict) and isinstance(node.get("prompt"), str) and node["prompt"]
    }
    if not named:
        return problems
    from okienko.telephony.media_models import Prompt

    known = {f"{office}/{code}" for office, code in Prompt.objects.values_list("organisation__code", "code")}
    known |= {code.partition("/")[2] for code in known}
    for node_id, prompt in sorted(named.items()):
        if prompt not in known:
            text = MISSING_PROMPT % {"prompt": prompt}
            problems.append(FlowProblem(node_id, "missing_prompt", text, {"prompt": prompt}))
    return problems


MISSING_PROMPT = "The prompt %(prompt)s does not exist: record or synthesise it on the prompts page."


class Flow(models.Model):
    """A named IVR flow of an organisation (its versions hold the definition)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="ivr_flows"
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("IVR flow")
        verbose_name_plural = _("IVR flows")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def current_version(self) -> FlowVersion | None:
        """The latest published version: the one callers hear (None before the first publication)."""
        return self.versions.filter(status=FlowVersion.Status.PUBLISHED).order_by("-number").first()


class FlowVersion(models.Model):
    """One numbered definition of a flow. Drafts may change; published and retired ones not."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", pgettext_lazy("flow version", "published")
        RETIRED = "retired", _("retired")

    # What may not change once a version has left the draft state.
    FROZEN = ("flow_id", "number", "definition", "note", "published_at", "published_by_id")

    flow = models.ForeignKey(Flow, verbose_name=_("flow"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"), blank=True)
    definition = models.JSONField(_("definition"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(
        pgettext_lazy("flow version", "published"), null=True, blank=True, editable=False
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("IVR flow version")
        verbose_name_plural = _("IVR flow versions")
        ordering = ["flow", "-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="ivr_flow_version_unique")]

    def __str__(self) -> str:
        return f"{self.flow.code} v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_change()
        if not self.number:
            last = FlowVersion.objects.filter(flow_id=self.flow_id).aggregate(last=Max("number"))["last"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        stored = FlowVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != self.Status.DRAFT:
            raise ValidationError(_("A published or retired version cannot be deleted; it is history."))
        return super().delete(*args, **kwargs)

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def note_text(self) -> str:
        """The note in the reader's language: the editor's own notes are stored in a fixed form."""
        fixed = {
            "new draft": pgettext("IVR version note", "new draft"),
            "new flow": pgettext("IVR version note", "new scenario"),
            "demo": pgettext("IVR version note", "demo data"),
        }
        if self.note in fixed:
            return fixed[self.note]
        if (found := re.fullmatch(r"from v(\d+)", self.note)) is not None:
            return pgettext("IVR version note", "from version %(number)s") % {"number": found[1]}
        if (found := re.fullmatch(r"rollback to v(\d+)", self.note)) is not None:
            return pgettext("IVR version note", "back to version %(number)s") % {"number": found[1]}
        return self.note

    def problems(self) -> list[FlowProblem]:
        definition = self.definition if isinstance(self.definition, dict) else {}
        return flow_problems(definition)

    def _check_change(self) -> None:
        """Refuse edits of a version that is no longer a draft, and publication of an invalid one."""
        stored = FlowVersion.objects.filter(pk=self.pk).first() if self.pk else None
        was = stored.status if stored is not None else self.Status.DRAFT
        if was != self.Status.DRAFT and stored is not None:
            if any(getattr(stored, name) != getattr(self, name) for name in self.FROZEN):
                raise ValidationError(_("A published version cannot be changed; make a new draft instead."))
            if (was, self.status) not in {(was, was), (self.Status.PUBLISHED, self.Status.RETIRED)}:
                raise ValidationError(_("A published version can only be retired."))
        if self.status == self.Status.PUBLISHED and was == self.Status.DRAFT:
            problems = self.problems()
            if problems:
                raise ValidationError(describe_all(problems))
        if self.status == self.Status.RETIRED and was == self.Status.DRAFT:
            raise ValidationError(_("Only a published version can be retired."))


class EntryNumber(models.Model):
    """A number callers dial (e.g. 9510) and the flow it starts."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="ivr_entry_numbers"
    )
    flow = models.ForeignKey(Flow, verbose_name=_("flow"), on_delete=models.PROTECT, related_name="entry_numbers")
    active = models.BooleanField(pgettext_lazy("phone number", "active"), default=True)

    class Meta:
        verbose_name = _("entry number")
        verbose_name_plural = _("entry numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} — {self.name}"

    def clean(self) -> None:
        if not self.number.isdigit():
            raise ValidationError({"number": _("A phone number has digits only.")})

    def current_version(self) -> FlowVersion | None:
        """The version a call to this number runs now: its flow's latest published one."""
        return self.flow.current_version()

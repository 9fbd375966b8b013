"""The cases app's work panels on the desk start page (``core.panels``, slot ``desk_home``):
my cases by deadline (experts), cases awaiting triage (supervisors) and overdue cases in scope
(supervisors). Each reads through ``Case.objects.visible_to``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.cases.models import Case
from okienko.cases.workflow import OPEN_STATUSES, PAUSED_STATUSES, Status
from okienko.core import clock, formatting, panels, work_panels
from okienko.core.work_panels import WorkItem

TRIAGE_STATUSES = (Status.NEW, Status.REGISTERED)


def _due(case: Case) -> str:
    if case.resolve_due is None:
        return ""
    return str(_("due %(when)s")) % {"when": formatting.when(case.resolve_due)}


def _panel(key: str, rows: QuerySet[Case], now: Any, **text: Any) -> Mapping[str, Any]:
    """The panel of ``rows``: their count and the first few as work items."""
    return work_panels.of_rows(key, rows, item=lambda case: _item(case, now), **text)


def _item(case: Case, now: Any) -> WorkItem:
    level = {3: "danger", 1: "warning", 2: "warning"}.get(case.overdue_level_at(now), "")
    detail = " · ".join(part for part in (case.service.public_name, case.get_status_display(), _due(case)) if part)
    return WorkItem(case.number, reverse("cases:detail", args=[case.uuid]), detail, level)


def my_deadlines(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """The viewer's own open cases, the nearest deadline first."""
    if not access.has_perm_anywhere(request.user, Perm.CASES_WORK):
        return None
    mine = (
        Case.objects.visible_to(request.user)
        .filter(assigned_to_id=request.user.pk, status__in=OPEN_STATUSES)
        .select_related("service")
        .order_by("resolve_due", "id")
    )
    now = clock.now()
    return _panel(
        "my-cases",
        mine,
        now,
        title=_("My cases by deadline"),
        empty=_("No open cases are assigned to you."),
        more_url=reverse("cases:mine"),
    )


def awaiting_triage(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """Open cases of the viewer's scope that nobody has taken yet: new or registered, or with
    nobody assigned (as the team queue's "only unassigned"), the oldest first."""
    if not access.has_perm_anywhere(request.user, Perm.CASES_ASSIGN):
        return None
    waiting = (
        Case.objects.visible_to(request.user)
        .filter(Q(status__in=TRIAGE_STATUSES) | Q(status__in=OPEN_STATUSES - PAUSED_STATUSES, assigned_to__isnull=True))
        .select_related("service")
        .order_by("created_at", "id")
    )
    now = clock.now()
    return _panel(
        "triage",
        waiting,
        now,
        title=_("Awaiting triage"),
        empty=_("Nothing waits for triage."),
        more_url=reverse("cases:team") + "?unassigned=1",
    )


def overdue_in_scope(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """Overdue cases in the supervisor's scope, the longest overdue first."""
    if not access.has_perm_anywhere(request.user, Perm.QUEUES_SUPERVISE):
        return None
    now = clock.now()
    late = Case.objects.visible_to(request.user).overdue(now).select_related("service").order_by("resolve_due", "id")
    return _panel(
        "overdue",
        late,
        now,
        title=_("Overdue in my scope"),
        empty=_("No case is overdue."),
        more_url=reverse("cases:team") + "?overdue=1",
    )


def register() -> None:
    for name, function, order in (
        ("cases.my_deadlines", my_deadlines, 10),
        ("cases.triage", awaiting_triage, 30),
        ("cases.overdue", overdue_in_scope, 40),
    ):
        panels.register(panels.Panel(panels.DESK_HOME, name, work_panels.WORK_PANEL, function, order=order))

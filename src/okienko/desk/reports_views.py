"""The management dashboard of the desk (issue 20, item 2), ``/desk/reports/``.

For a period (this month by default; at most two years) and the reader's scope — the offices and
units where they hold ``reports.view``, optionally narrowed to one of them — it shows cases opened
and resolved, the backlog now, the share resolved in time, the mean resolution time, contacts by
channel, hour, day of the week, office, outcome and (for supervisors of those offices) member of
staff, the first-contact resolution rate, and the same period a year before. Every chart is drawn
on the server as SVG bars hidden from assistive technology; the table next to it is the source.
A reader without ``reports.view`` anywhere gets 403; a bad period answers 400 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.reports import dashboard
from okienko.reports.rollups import local_day

MAX_CHOICES = 500
CHARTS = frozenset({"channel", "hour", "weekday", "unit"})


def reader_scope(user: Any) -> tuple[dashboard.Scope, list[Organisation]]:
    offices = list(access.organisations_with(user, Perm.REPORTS_VIEW).order_by("path")[: MAX_CHOICES + 1])
    if not offices:
        raise PermissionDenied(Perm.REPORTS_VIEW)
    reports = access.organisations_with(user, Perm.REPORTS_VIEW).values_list("pk", flat=True)
    supervise = access.organisations_with(user, Perm.QUEUES_SUPERVISE).values_list("pk", flat=True)
    return dashboard.scope_of(reports, supervise), offices[:MAX_CHOICES]


def bars(values: list[int], width: int = 10, gap: int = 2) -> dict[str, Any]:
    """SVG bars (x, y, width, height) scaled to a 100-high box."""
    top = max(values, default=0) or 1
    shapes = []
    for i, value in enumerate(values):
        height = round(value * 96 / top)
        shapes.append((i * (width + gap), 100 - height, width, height))
    return {"bars": shapes, "width": max(1, len(values) * (width + gap))}


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    scope, offices = reader_scope(request.user)
    today = local_day(clock.now())
    error = ""
    chosen = request.GET.get("organisation", "").strip()[:50]
    if chosen:
        office = next((o for o in offices if o.code == chosen), None)
        if office is None:
            error = _("Choose an office or unit from the list.")
        else:
            scope = scope.narrowed(office)
    try:
        period = dashboard.parse_period(request.GET.get("since"), request.GET.get("until"), today)
    except dashboard.PeriodError as exc:
        error = error or exc.message
        period = dashboard.parse_period(None, None, today)
    board = None if error else dashboard.dashboard(scope, period)
    sections: list[dict[str, Any]] = []
    if board is not None:
        for group, case_lines in board.cases_by.items():
            chart = bars([line.opened for line in case_lines]) if group in CHARTS and case_lines else None
            sections.append(
                {
                    "key": f"cases-{group}",
                    "kind": "cases",
                    "title": dashboard.GROUP_TITLES[group],
                    "column": dashboard.COLUMNS[group],
                    "lines": case_lines,
                    "chart": chart,
                }
            )
        for group, contact_lines in board.contacts_by.items():
            chart = bars([line.contacts for line in contact_lines]) if group in CHARTS and contact_lines else None
            sections.append(
                {
                    "key": f"contacts-{group}",
                    "kind": "contacts",
                    "title": dashboard.GROUP_TITLES[group],
                    "column": dashboard.COLUMNS[group],
                    "lines": contact_lines,
                    "chart": chart,
                }
            )
    context = {
        "board": board,
        "error": error,
        "since": (request.GET.get("since") or period.since.isoformat())[:10],
        "until": (request.GET.get("until") or period.until.isoformat())[:10],
        "offices": offices,
        "chosen": chosen,
        "sections": sections,
        "max_days": dashboard.MAX_DAYS,
    }
    return render(request, "desk/reports/dashboard.html", context, status=400 if error else 200)

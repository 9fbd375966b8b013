"""The management dashboard of the desk (issue 20, item 2), ``/desk/reports/``.

For a period (this month by default; at most two years) and the reader's scope — the offices and
units where they hold ``reports.view``, optionally narrowed to one of them — it shows cases opened
and resolved, the backlog now, the share resolved in time, the mean resolution time, contacts by
channel, hour, day of the week, office, outcome and (for supervisors of those offices) member of
staff, the first-contact resolution rate, calls, the use of the knowledge base, and the same period a
year before. Charts are drawn with the vendored Chart.js from the numbers of the table beside each
(``reports/charts.js``); the canvas is an image that points to its table, the table is the source.
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


def chart(lines: list[Any], values: list[int], label: str) -> dict[str, Any]:
    """A bar chart's data for ``reports/charts.js`` (serialised with ``json_script``)."""
    return {"labels": [str(line.label) for line in lines], "datasets": [{"label": label, "data": values}]}


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
            drawn = group in CHARTS and bool(case_lines)
            data = chart(case_lines, [line.opened for line in case_lines], _("Cases registered")) if drawn else None
            sections.append(
                {
                    "key": f"cases-{group}",
                    "data_id": f"cases-{group}-chart-data",
                    "kind": "cases",
                    "title": dashboard.GROUP_TITLES[group],
                    "column": dashboard.COLUMNS[group],
                    "lines": case_lines,
                    "chart": data,
                }
            )
        for group, contact_lines in board.contacts_by.items():
            drawn = group in CHARTS and bool(contact_lines)
            data = chart(contact_lines, [line.contacts for line in contact_lines], _("Contacts")) if drawn else None
            sections.append(
                {
                    "key": f"contacts-{group}",
                    "data_id": f"contacts-{group}-chart-data",
                    "kind": "contacts",
                    "title": dashboard.GROUP_TITLES[group],
                    "column": dashboard.COLUMNS[group],
                    "lines": contact_lines,
                    "chart": data,
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

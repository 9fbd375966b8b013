"""The desk's qualitative report (issue 20, item 3): for readers with ``reports.view`` in their scope."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.reports import quality
from okienko.reports.forms import PeriodForm
from okienko.reports.rollups import local_day


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@login_required
@require_GET
def quality_view(request: HttpRequest) -> HttpResponse:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not scope:
        raise PermissionDenied
    today = local_day(clock.now())
    initial = {"since": today - dt.timedelta(days=30), "until": today}
    form = PeriodForm(request.GET if request.GET else initial)
    lines: list[quality.Line] = []
    status = 200
    if form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        lines = quality.report(scope, _start(since), _start(until + dt.timedelta(days=1)), clock.now())
    else:
        status = 400
    context = {
        "form": form,
        "lines": lines,
        "total": quality.total(lines) if lines else None,
        "capped": len(lines) >= quality.MAX_LINES,
    }
    return render(request, "reports/quality.html", context, status=status)

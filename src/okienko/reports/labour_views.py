"""The desk's labour-office and Kontraktor figures (issue 20, item 8): readers with ``reports.view``
in a labour office (a WUP director sees the region's county offices, a PUP its own)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.reports import labour
from okienko.reports.forms import PeriodForm
from okienko.reports.rollups import local_day


@login_required
@require_GET
def labour_view(request: HttpRequest) -> HttpResponse:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not labour.offices_in(scope):
        raise PermissionDenied
    today = local_day(clock.now())
    form = PeriodForm(request.GET if request.GET else {"since": today.replace(day=1), "until": today})
    result = None
    status = 200
    if form.is_valid():
        since: dt.date = form.cleaned_data["since"]
        until: dt.date = form.cleaned_data["until"]
        result = labour.figures(scope, since, until)
    else:
        status = 400
    return render(request, "reports/labour.html", {"form": form, "result": result}, status=status)

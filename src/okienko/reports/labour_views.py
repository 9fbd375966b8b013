"""The desk's labour-office and Kontraktor figures (issue 20, item 8): readers with ``reports.view``
in a labour office (a WUP director sees the region's county offices, a PUP its own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.reports import labour
from okienko.reports.rollups import local_day

MAX_DAYS = 731


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise forms.ValidationError(_("The period ends before it starts."))
            if since.year < 2000 or until.year > 2100:
                raise forms.ValidationError(_("Choose dates between 2000 and 2100."))
            if (until - since).days > MAX_DAYS:
                raise forms.ValidationError(_("The period may be at most two years."))
        return data


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

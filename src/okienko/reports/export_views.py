"""The desk's export of cases for analysis (issue 20, item 5): a filter form and the download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import audit, clock
from okienko.core.choices import Channel
from okienko.reports import export
from okienko.reports.rollups import local_day

STATUSES = [
    ("", pgettext_lazy("cases filter", "all")),
    ("open", pgettext_lazy("cases filter", "open")),
    ("closed", pgettext_lazy("cases filter", "closed")),
]


class ExportForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("Registered from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=gettext_lazy("Registered until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    service = forms.CharField(label=gettext_lazy("Service code"), required=False, max_length=80)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUSES)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", pgettext("cases filter", "all")), *Channel.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise forms.ValidationError(_("The period ends before it starts."))
            if since.year < 2000 or until.year > 2100:
                raise forms.ValidationError(_("Choose dates between 2000 and 2100."))
            if (until - since).days > export.MAX_YEARS * 366:
                raise forms.ValidationError(_("The period may be at most ten years."))
        return data

    def filters(self) -> export.Filters:
        data = self.cleaned_data
        return export.Filters(
            since=data["since"],
            until=data["until"],
            service=data.get("service") or "",
            status=data.get("status") or "",
            channel=data.get("channel") or "",
        )


def _scope(request: HttpRequest) -> list[int]:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not scope:
        raise PermissionDenied
    return scope


def _initial() -> dict[str, dt.date]:
    today = local_day(clock.now())
    return {"since": today.replace(day=1), "until": today}


@login_required
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    _scope(request)
    form = ExportForm(request.GET if request.GET else _initial())
    count = None
    status = 200
    if form.is_valid():
        count = export.cases(_scope(request), form.filters()).count()
    elif request.GET:
        status = 400
    query = request.GET.urlencode() if request.GET else ""
    context = {"form": form, "count": count, "query": query, "columns": export.COLUMNS}
    return render(request, "reports/export.html", context, status=status)


@login_required
@require_GET
def download_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404("format")
    scope = _scope(request)
    form = ExportForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "count": None, "query": "", "columns": export.COLUMNS}
        return render(request, "reports/export.html", context, status=400)
    filters = form.filters()
    audit.record(
        "reports.cases_exported",
        actor=request.user,
        data={
            "format": fmt,
            "since": filters.since.isoformat(),
            "until": filters.until.isoformat(),
            "service": filters.service,
            "status": filters.status,
            "channel": filters.channel,
        },
        kind="security",  # a bulk read of the scope, worth seeing in the security log
    )
    header = [str(label) for _name, label in export.COLUMNS]
    name = f"sprawy-{filters.since.isoformat()}-{filters.until.isoformat()}"
    if fmt == "csv":
        streamed = StreamingHttpResponse(
            export.csv_lines(scope, filters, header), content_type="text/csv; charset=utf-8"
        )
        streamed["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return streamed
    return FileResponse(
        export.xlsx_file(scope, filters, header),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

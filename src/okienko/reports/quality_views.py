"""The desk's qualitative report (issue 20, item 3): for readers with ``reports.view`` in their scope.

* ``/desk/reports/quality/`` — the table, the same period a year before, links to the cases;
* ``/desk/reports/quality/cases/`` — the cases behind one count (paginated): numbers with links
  only for the cases the reader may open on the desk, the rest counted;
* ``/desk/reports/quality/quality.csv`` and ``.xlsx`` — the table for a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases.access import visibility_q
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.core.csvstream import Echo
from okienko.reports import quality
from okienko.reports.forms import PeriodForm
from okienko.reports.rollups import local_day

PAGE_SIZE = 50

MEASURE_LABELS: dict[str, Any] = {
    "cases": pgettext_lazy("quality measure", "All cases"),
    "overdue": pgettext_lazy("quality measure", "Past the deadline"),
    "overdue_3x": pgettext_lazy("quality measure", "More than 3× past the deadline"),
    "reopened": pgettext_lazy("quality measure", "Reopened"),
    "changed": pgettext_lazy("quality measure", "Changed after closing"),
    "unhappy": pgettext_lazy("quality measure", "Unhappy survey answers"),
    quality.SKIPPED_STEP: pgettext_lazy("quality measure", "Procedure not followed"),
    "special": pgettext_lazy("quality measure", "Complaints, appeals and petitions"),
    "special_late": pgettext_lazy("quality measure", "Complaints, appeals and petitions past the statutory deadline"),
    "resolution_office_hours": pgettext_lazy("quality measure", "Resolution (office hours, mean)"),
}


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _scope(request: HttpRequest) -> list[int]:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not scope:
        raise PermissionDenied
    return scope


class QualityForm(PeriodForm):
    """The period (at most two years) and optionally one matter by its code."""

    service = forms.CharField(label=gettext_lazy("Service code (optional)"), required=False, max_length=80)

    def __init__(self, *args: Any, scope: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_service(self) -> list[int] | None:
        code = (self.cleaned_data.get("service") or "").strip()
        if not code:
            return None
        found = list(
            Service.objects.filter(code=code).filter(organisation_id__in=self.scope).values_list("pk", flat=True)
        )
        if not found:
            raise forms.ValidationError(
                _("There is no service with the code “%(code)s” in your offices.") % {"code": code[:80]}
            )
        return found

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        since, until = self.cleaned_data["since"], self.cleaned_data["until"]
        return _start(since), _start(until + dt.timedelta(days=1))


class DrillForm(QualityForm):
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"), choices=[(m, MEASURE_LABELS[m]) for m in quality.MEASURES]
    )
    unit = forms.IntegerField(label=gettext_lazy("Unit"), required=False, min_value=1, max_value=2**31 - 1)
    matter = forms.IntegerField(label=gettext_lazy("Matter"), required=False, min_value=1, max_value=2**31 - 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        matter = data.get("matter")
        if matter is not None:
            if not Service.objects.filter(pk=matter).exists():
                self.add_error("matter", _("There is no such service."))
            else:
                wanted = data.get("service")
                data["service"] = [matter] if wanted is None or matter in wanted else []
        return data


def _initial(today: dt.date) -> dict[str, Any]:
    return {"since": today - dt.timedelta(days=30), "until": today}


def _form(request: HttpRequest, scope: list[int], form_class: type[QualityForm] = QualityForm) -> QualityForm:
    today = local_day(clock.now())
    data = request.GET if request.GET else _initial(today)
    return form_class(data, scope=scope)


@login_required
@require_GET
def quality_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = _form(request, scope)
    lines: list[quality.Line] = []
    trends: list[quality.Trend] = []
    status = 200
    query = ""
    if form.is_valid():
        start, end = form.period()
        now = clock.now()
        services = form.cleaned_data["service"]
        lines = quality.cached_report(scope, start, end, now, services=services)
        before = quality.cached_report(
            scope, quality.year_before(start), quality.year_before(end), quality.year_before(now), services=services
        )
        trends = quality.trends(
            quality.total(lines) if lines else None, quality.total(before) if before else None, MEASURE_LABELS
        )
        query = request.GET.urlencode() if request.GET else ""
        if not query:
            query = f"since={form.cleaned_data['since']:%Y-%m-%d}&until={form.cleaned_data['until']:%Y-%m-%d}"
    else:
        status = 400
    context = {
        "form": form,
        "lines": lines,
        "total": quality.total(lines) if lines else None,
        "trends": trends,
        "capped": len(lines) >= quality.MAX_LINES,
        "query": query,
        "unhappy_rating": quality.UNHAPPY_RATING,
    }
    return render(request, "reports/quality.html", context, status=status)


@login_required
@require_GET
def quality_cases_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = _form(request, scope, DrillForm)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "reports/quality_cases.html", context, status=400)
    start, end = form.period()
    data = form.cleaned_data
    cases = quality.cases_for(
        scope, start, end, clock.now(), measure=data["measure"], unit_id=data.get("unit"), services=data["service"]
    )
    visible = cases.filter(visibility_q(request.user))
    page = Paginator(
        visible.select_related("service", "assigned_unit", "organisation").only(
            "uuid",
            "number",
            "status",
            "created_at",
            "service__public_name",
            "assigned_unit__name",
            "organisation__name",
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    counted = cases.count()
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        {
            "measure": MEASURE_LABELS[data["measure"]],
            "unit_name": Organisation.objects.filter(pk__in=scope, pk=data.get("unit") or 0)
            .values_list("name", flat=True)
            .first(),
            "matter_name": Service.objects.filter(pk=data.get("matter") or 0)
            .values_list("public_name", flat=True)
            .first(),
            "page": page,
            "counted": counted,
            "hidden": max(0, counted - page.paginator.count),
            "query": params.urlencode(),
            "back": _back_query(params),
        }
    )
    return render(request, "reports/quality_cases.html", context)


def _back_query(params: Any) -> str:
    back = params.copy()
    for key in ("measure", "unit", "matter"):
        back.pop(key, None)
    return str(back.urlencode())


def _table(lines: list[quality.Line]) -> Iterator[list[Any]]:
    yield [
        str(x)
        for x in (
            _("Unit"),
            _("Matter"),
            pgettext_lazy("service", "case type"),
            _("Cases"),
            _("Past the deadline"),
            _("More than 3× past the deadline"),
            _("First response (calendar hours, mean)"),
            _("First response (office hours, mean)"),
            _("Resolution (calendar hours, mean)"),
            _("Resolution (office hours, mean)"),
            pgettext_lazy("cases", "Reopened"),
            _("Changed after closing"),
            _("Unhappy survey answers"),
            _("Procedure not followed"),
            _("Complaints, appeals and petitions"),
            _("Past the statutory deadline"),
        )
    ]
    types = dict(Service.CaseType.choices)
    for line in lines:
        yield [
            _safe(line.unit),
            _safe(line.service),
            str(types.get(line.case_type, line.case_type)),
            line.cases,
            line.overdue,
            line.overdue_3x,
            line.response_hours,
            line.response_office_hours,
            line.resolution_hours,
            line.resolution_office_hours,
            line.reopened,
            line.changed_after_closing,
            line.unhappy,
            line.skipped_step,
            line.special,
            line.special_late,
        ]


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def quality_export_view(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope = _scope(request)
    form = _form(request, scope)
    if not form.is_valid():
        return render(request, "reports/quality.html", {"form": form, "lines": []}, status=400)
    start, end = form.period()
    lines = quality.cached_report(scope, start, end, clock.now(), services=form.cleaned_data["service"])
    name = f"jakosc-{form.cleaned_data['since']:%Y-%m-%d}-{form.cleaned_data['until']:%Y-%m-%d}"
    if fmt == "csv":
        writer = csv.writer(Echo())
        rows = (("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(_table(lines)))
        stream = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return stream
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(str(_("quality"))[:31])
    bold = book.add_format({"bold": True})
    for r, row in enumerate(_table(lines)):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value), bold if r == 0 else None)
    sheet.freeze_panes(1, 0)
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

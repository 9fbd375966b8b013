"""Public statistics page and open-data files (issue 20, item 7)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from okienko.core import clock
from okienko.core.csvstream import Echo
from okienko.reports import opendata, statistics
from okienko.reports.rollups import local_day

OPEN_DATA_DAYS = 31
FIRST_DAY = dt.date(2000, 1, 1)


def month_label(month: dt.date) -> str:
    """ "listopad 2026" (Polish writes month names in lower case), "November 2026"."""
    name = str(MONTHS[month.month])
    return f"{name.lower() if (translation.get_language() or '').startswith('pl') else name} {month.year}"


def _month(value: str) -> dt.date | None:
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    return parsed if parsed >= FIRST_DAY else None


@require_GET
@cache_control(public=True, max_age=300)
def statistics_view(request: HttpRequest) -> HttpResponse:
    months = statistics.months_available()
    wanted = request.GET.get("miesiac", "")[:20]
    month = _month(wanted) if wanted else months[0]
    if month is None or month not in months:
        context: dict[str, Any] = {"months": [(m, month_label(m)) for m in months], "wanted": wanted}
        return render(request, "reports/public_statistics_missing.html", context, status=404)
    stats = statistics.month_stats(month)
    peak = max((line.opened for line in stats.by_day), default=0)
    bars = [
        (n * 10, 100 - round(line.opened * 100 / peak), round(line.opened * 100 / peak), line.label, line.opened)
        for n, line in enumerate(stats.by_day)
        if peak
    ]
    context = {
        "stats": stats,
        "label": month_label(month),
        "months": [(m, month_label(m), m == month) for m in months],
        "bars": bars,
        "width": max(10, len(bars) * 10),
        "sections": [
            ("category", _("By category"), stats.by_category),
            ("service", _("By matter"), stats.by_service),
            ("organisation", _("By office or unit"), stats.by_organisation),
            ("district", _("By district or gmina"), stats.by_district),
            ("channel", _("By channel"), stats.by_channel),
        ],
    }
    return render(request, "reports/public_statistics.html", context)


@require_GET
@cache_control(public=True, max_age=3600)
def open_data_view(request: HttpRequest) -> HttpResponse:
    yesterday = local_day(clock.now()) - dt.timedelta(days=1)
    days = [yesterday - dt.timedelta(days=n) for n in range(OPEN_DATA_DAYS)]
    context = {"columns": opendata.COLUMNS, "days": days, "licence": opendata.licence(), "digits": opendata.DIGITS}
    return render(request, "reports/open_data.html", context)


def _csv(day: dt.date) -> Iterator[str]:
    writer = csv.writer(Echo())
    names = [name for name, _label in opendata.COLUMNS]
    yield "\ufeff" + writer.writerow(names)  # the BOM lets spreadsheet programs read UTF-8
    for row in opendata.rows(day):
        yield writer.writerow(["" if row[name] is None else row[name] for name in names])


def _json(day: dt.date) -> Iterator[str]:
    licence = opendata.licence()
    head = {"day": day.isoformat(), "licence": licence["name"], "licence_url": licence["url"]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "service_requests": ['
    first = True
    for row in opendata.rows(day):
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]}\n"


@require_GET
@cache_control(public=True, max_age=3600)
def open_data_file_view(request: HttpRequest, day: str, fmt: str) -> StreamingHttpResponse:
    try:
        wanted = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404(_("There is no such day.")) from None
    if not FIRST_DAY <= wanted < local_day(clock.now()):
        raise Http404(_("A day's file is published once the day is over."))
    if fmt == "csv":
        response = StreamingHttpResponse(_csv(wanted), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json(wanted), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="zgloszenia-{wanted.isoformat()}.{fmt}"'
    return response

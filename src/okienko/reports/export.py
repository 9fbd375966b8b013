"""Exports of cases for analysis (issue 20, item 5): any number of rows in flat memory.

Rows are read from the replica with a server-side cursor (``iterator``) and written out as they
come: CSV as a stream, XLSX through XlsxWriter's constant-memory mode into a temporary file that
is then streamed. The columns are the case's facts, never its people: no reporter, client,
description or address, so an export is not a disclosure of personal data and needs no access
log; the scope is the organisations where the reader has ``reports.view`` (cases they own or whose
unit works on them).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]
from django.db.models import F, Q, QuerySet
from django.utils.translation import pgettext, pgettext_lazy

from okienko.cases.models import Case
from okienko.cases.workflow import FINISHED_STATUSES
from okienko.core.csvstream import Echo
from okienko.reports.rollups import day_range, zone
from okienko.reports.routers import read_alias

CHUNK = 5000
MAX_YEARS = 10

COLUMNS: list[tuple[str, Any]] = [
    ("number", pgettext_lazy("export column", "case number")),
    ("status", pgettext_lazy("export column", "status")),
    ("service_code", pgettext_lazy("export column", "service code")),
    ("service_name", pgettext_lazy("export column", "service")),
    ("category", pgettext_lazy("export column", "category")),
    ("office_name", pgettext_lazy("export column", "office")),
    ("unit_name", pgettext_lazy("export column", "unit")),
    ("channel", pgettext_lazy("export column", "channel")),
    ("priority", pgettext_lazy("export column", "priority")),
    ("district", pgettext_lazy("export column", "district or gmina")),
    ("created_at", pgettext_lazy("export column", "registered")),
    ("responded_at", pgettext_lazy("export column", "first response")),
    ("resolve_due", pgettext_lazy("export column", "deadline")),
    ("resolved_at", pgettext_lazy("export column", "resolved")),
    ("closed_at", pgettext_lazy("export column", "closed")),
    ("in_time", pgettext_lazy("export column", "resolved by the deadline")),
    ("escalation_level", pgettext_lazy("export column", "escalation level")),
]
_FIELDS = [
    "number",
    "status",
    "channel",
    "priority",
    "created_at",
    "responded_at",
    "resolve_due",
    "resolved_at",
    "closed_at",
    "escalation_level",
]
_ALIASES = {
    "service_code": F("service__code"),
    "service_name": F("service__public_name"),
    "category": F("service__category__name"),
    "office_name": F("organisation__name"),
    "unit_name": F("assigned_unit__name"),
    "district": F("gmina__name"),
}
DATES = {"created_at", "responded_at", "resolve_due", "resolved_at", "closed_at"}


@dataclass(frozen=True)
class Filters:
    since: dt.date
    until: dt.date  # inclusive
    service: str = ""
    status: str = ""  # "", "open" or "closed"
    channel: str = ""


def cases(scope: Sequence[int], filters: Filters) -> QuerySet[Case]:
    start, _end = day_range(filters.since)
    _start, end = day_range(filters.until)
    found = Case.objects.using(read_alias()).filter(
        Q(organisation_id__in=scope) | Q(assigned_unit_id__in=scope), created_at__gte=start, created_at__lt=end
    )
    if filters.service:
        found = found.filter(service__code=filters.service)
    if filters.status == "open":
        found = found.exclude(status__in=FINISHED_STATUSES)
    elif filters.status == "closed":
        found = found.filter(status__in=FINISHED_STATUSES)
    if filters.channel:
        found = found.filter(channel=filters.channel)
    return found.order_by("created_at", "pk")


def rows(scope: Sequence[int], filters: Filters) -> Iterator[list[Any]]:
    """Each case as a list in ``COLUMNS`` order; dates as aware local datetimes or None."""
    tz = zone()
    query = cases(scope, filters).values(*_FIELDS, **_ALIASES)
    for row in query.iterator(chunk_size=CHUNK):
        done, due = row["resolved_at"], row["resolve_due"]
        row["in_time"] = None if done is None else (due is None or done <= due)
        for name in DATES:
            if row[name] is not None:
                row[name] = row[name].astimezone(tz)
        yield [row[name] for name, _label in COLUMNS]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return pgettext("export value", "yes") if value else pgettext("export value", "no")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # no formulas in a spreadsheet opened from the file
    return value


def csv_lines(scope: Sequence[int], filters: Filters, header: list[str]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows(scope, filters):
        yield writer.writerow([_text(v) for v in row])


def xlsx_file(scope: Sequence[int], filters: Filters, header: list[str]) -> IO[bytes]:
    """The export as an XLSX workbook in a temporary file (constant memory; deleted when closed)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the response, which closes it
    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("sprawy")
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    yes, no = pgettext("export value", "yes"), pgettext("export value", "no")
    date_columns = {i for i, (name, _label) in enumerate(COLUMNS) if name in DATES}
    for r, row in enumerate(rows(scope, filters), start=1):
        if r >= 1_048_576:
            break  # the sheet's own limit; the CSV has no limit
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in date_columns:
                sheet.write_datetime(r, c, value.replace(tzinfo=None), when)
            elif isinstance(value, bool):
                sheet.write_string(r, c, yes if value else no)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    target.seek(0)
    return target

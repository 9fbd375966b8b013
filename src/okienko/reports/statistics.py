"""The public statistics of a month (issue 20, item 7), from the rollups only.

What the public sees: cases opened and resolved, the share resolved by the deadline and the mean
time to resolution; by category, by the office or unit that owns the case, by gmina or district
and by channel, and a day-by-day series. Services that are not published (``cases.publication``:
not public, or ``private``) are never named: their cases count in the totals and in their
category, and appear in the by-service list only summed as "other matters".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Min, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.cases.publication import LISTED
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core import clock, formatting
from okienko.core.choices import Channel as CaseChannel
from okienko.reports.models import CaseDay
from okienko.reports.rollups import local_day
from okienko.reports.routers import read_alias

TOP_SERVICES = 20


@dataclass
class Line:
    label: str
    opened: int = 0
    resolved: int = 0
    in_time: int = 0
    seconds: int = 0

    @property
    def in_time_share(self) -> float | None:
        return self.in_time / self.resolved if self.resolved else None

    @property
    def in_time_percent(self) -> int | None:
        share = self.in_time_share
        return round(share * 100) if share is not None else None

    @property
    def mean_days(self) -> float | None:
        return self.seconds / self.resolved / 86400 if self.resolved else None


@dataclass
class MonthStats:
    month: dt.date
    total: Line
    by_category: list[Line] = field(default_factory=list)
    by_service: list[Line] = field(default_factory=list)
    by_organisation: list[Line] = field(default_factory=list)
    by_district: list[Line] = field(default_factory=list)
    by_channel: list[Line] = field(default_factory=list)
    by_day: list[Line] = field(default_factory=list)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_available() -> list[dt.date]:
    """The months with any data, newest first (at most ten years back)."""
    span = CaseDay.objects.using(read_alias()).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return [month_start(local_day(clock.now()))]
    month, last = month_start(span["first"]), month_start(max(span["last"], local_day(clock.now())))
    month = max(month, last.replace(year=last.year - 10))
    found = []
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found[::-1]


def _add(line: Line, row: CaseDay) -> None:
    line.opened += row.opened
    line.resolved += row.resolved
    line.in_time += row.resolved_in_time
    line.seconds += row.resolution_seconds


def _ordered(lines: dict[Any, Line]) -> list[Line]:
    return sorted(lines.values(), key=lambda line: (-line.opened, -line.resolved, line.label))


def _sums(rows: Any, field: str) -> list[dict[str, Any]]:
    """The month's rows summed in the database per value of ``field``."""
    return list(
        rows.values(field)
        .annotate(
            n_opened=Sum("opened"),
            n_resolved=Sum("resolved"),
            n_in_time=Sum("resolved_in_time"),
            n_seconds=Sum("resolution_seconds"),
        )
        .order_by()
    )


def _add_sums(line: Line, sums: dict[str, Any]) -> None:
    line.opened += sums["n_opened"] or 0
    line.resolved += sums["n_resolved"] or 0
    line.in_time += sums["n_in_time"] or 0
    line.seconds += sums["n_seconds"] or 0


def compute(month: dt.date) -> MonthStats:
    """The month's figures: one GROUP BY per dimension over the rollup rows (never the rows
    themselves in Python: a big city's month is tens of thousands of rows)."""
    db = read_alias()
    rows = CaseDay.objects.using(db).filter(day__gte=month, day__lt=next_month(month))
    by = {
        field: _sums(rows, field)
        for field in ("category_id", "service_id", "organisation_id", "gmina_id", "channel", "day")
    }
    services = {
        s.pk: s
        for s in Service.objects.using(db)
        .filter(pk__in={r["service_id"] for r in by["service_id"]})
        .only("pk", "public_name", "is_public", "publication")
    }
    categories = dict(
        ServiceCategory.objects.using(db)
        .filter(pk__in={r["category_id"] for r in by["category_id"] if r["category_id"]})
        .values_list("pk", "name")
    )
    organisations = dict(
        Organisation.objects.using(db)
        .filter(pk__in={r["organisation_id"] for r in by["organisation_id"]})
        .values_list("pk", "name")
    )
    districts = dict(
        TerritorialUnit.objects.using(db)
        .filter(code__in={r["gmina_id"] for r in by["gmina_id"] if r["gmina_id"]})
        .values_list("code", "name")
    )
    channel_names = dict(CaseChannel.choices)
    stats = MonthStats(month=month, total=Line(_("All matters")))
    other = _("Other matters")
    lines: dict[str, dict[Any, Line]] = defaultdict(dict)

    def add(kind: str, key: Any, label: str, sums: dict[str, Any]) -> None:
        if key not in lines[kind]:
            lines[kind][key] = Line(label)
        _add_sums(lines[kind][key], sums)

    for sums in by["day"]:
        _add_sums(stats.total, sums)
        add("day", sums["day"], formatting.day(sums["day"]), sums)
    for sums in by["category_id"]:
        add("category", sums["category_id"], categories.get(sums["category_id"] or 0, other), sums)
    for sums in by["service_id"]:
        service = services.get(sums["service_id"])
        if service is not None and service.is_public and service.publication in LISTED:
            add("service", sums["service_id"], service.public_name, sums)
        else:
            add("service", None, other, sums)
    for sums in by["organisation_id"]:
        add("organisation", sums["organisation_id"], organisations.get(sums["organisation_id"], "—"), sums)
    for sums in by["gmina_id"]:
        gmina = sums["gmina_id"]
        add("district", gmina, districts.get(gmina, _("place not given")) if gmina else _("place not given"), sums)
    for sums in by["channel"]:
        add("channel", sums["channel"], str(channel_names.get(sums["channel"], sums["channel"])), sums)
    stats.by_category = _ordered(lines["category"])
    named = _ordered({k: v for k, v in lines["service"].items() if k is not None})
    rest = lines["service"].get(None, Line(other))
    for extra in named[TOP_SERVICES:]:
        for attribute in ("opened", "resolved", "in_time", "seconds"):
            setattr(rest, attribute, getattr(rest, attribute) + getattr(extra, attribute))
    stats.by_service = named[:TOP_SERVICES] + ([rest] if rest.opened or rest.resolved else [])
    stats.by_organisation = _ordered(lines["organisation"])
    stats.by_district = _ordered(lines["district"])
    stats.by_channel = _ordered(lines["channel"])
    stats.by_day = [line for _day, line in sorted(lines["day"].items())]  # by date, labelled 05.12.2026
    return stats


def month_stats(month: dt.date) -> MonthStats:
    """:func:`compute`, cached per month and language (10 minutes; a day for past months)."""
    key = f"reports:public:v2:{month.isoformat()}:{translation.get_language()}"  # v2: days as 05.12.2026
    found = cache.get(key)
    if isinstance(found, MonthStats):
        return found
    stats = compute(month)
    current = month_start(local_day(clock.now()))
    cache.set(key, stats, 600 if month >= current else 86400)
    return stats

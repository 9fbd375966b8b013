"""Calls per day and queue for the dashboards (issue 20, item 2), from the telephony event log.

The log is append-only and counted by the telephony app's own interval report
(``telephony.engine.reports.interval_report``, by queue), so a dashboard shows the figures the call
reports show. A day's rows are recomputed from the events of the calls that entered a queue that
day (with six hours either side, so a call across midnight is whole), counted in hour intervals and
kept only for the hours of that local day: a visit counts on the day it entered its queue. Celery
beat recomputes today and yesterday every five minutes; the nightly repair the last five weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min, QuerySet, Sum

from okienko.reports.models import CallDay
from okienko.reports.routers import read_alias
from okienko.telephony.engine import events as ev
from okienko.telephony.engine import reports as engine_reports
from okienko.telephony.models import CallEventRecord, PhoneQueue

MARGIN = dt.timedelta(hours=6)  # longer than any call stays in a queue and talks
HOUR = 3600


def recompute_day(day: dt.date) -> int:
    """Rebuild the call rows of a local day; returns how many rows it has."""
    from okienko.reports.rollups import day_range

    start, end = day_range(day)
    entered = CallEventRecord.objects.filter(kind=ev.QUEUE_ENTER, at__gte=start, at__lt=end).values("call")
    records = CallEventRecord.objects.filter(call__in=entered, at__gte=start - MARGIN, at__lt=end + MARGIN)
    log = [record.as_event() for record in records.order_by("id").iterator(chunk_size=5000)]
    queues = {q.code: q for q in PhoneQueue.objects.only("code", "organisation_id", "service_level_seconds")}
    first, last = start.timestamp(), end.timestamp()
    totals: dict[str, engine_reports.Row] = {}
    for target in sorted({q.service_level_seconds for q in queues.values()} or {15}):
        rows = engine_reports.interval_report(log, interval=HOUR, by="queue", target_seconds=float(target))
        for row in rows:
            queue = queues.get(row.key)
            if queue is None or queue.service_level_seconds != target or not first <= row.start < last:
                continue
            total = totals.setdefault(row.key, engine_reports.Row(start=first, key=row.key))
            for name in _COUNTS:
                setattr(total, name, getattr(total, name) + getattr(row, name))
            total.max_wait = max(total.max_wait, row.max_wait)
    made = [
        CallDay(
            day=day,
            organisation_id=queues[code].organisation_id,
            queue=code,
            **{name: getattr(row, name) for name in (*_COUNTS, "max_wait")},
        )
        for code, row in sorted(totals.items())
    ]
    with transaction.atomic():
        CallDay.objects.filter(day=day).delete()
        CallDay.objects.bulk_create(made)
    return len(made)


_COUNTS = (
    "offered",
    "answered",
    "answered_within",
    "abandoned",
    "short_abandoned",
    "overflowed_out",
    "completed",
    "wait_seconds",
    "talk_seconds",
    "wrap_seconds",
)


def rebuild(since: dt.date | None = None) -> int:
    """Recompute every day with call events from ``since`` (the log's first day when None);
    returns the number of rows."""
    from okienko.reports.rollups import local_day

    span = CallEventRecord.objects.filter(kind=ev.QUEUE_ENTER).aggregate(first=Min("at"), last=Max("at"))
    (CallDay.objects.all() if since is None else CallDay.objects.filter(day__gte=since)).delete()
    if span["first"] is None:
        return 0
    day = local_day(span["first"]) if since is None else max(since, local_day(span["first"]))
    count = 0
    while day <= local_day(span["last"]):
        count += recompute_day(day)
        day += dt.timedelta(days=1)
    return count


@dataclass
class CallLine:
    """Calls in a period: the dashboard's line (ratios ``None`` when there is nothing to divide)."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    wait_seconds: float = 0.0

    @property
    def service_level_percent(self) -> int | None:
        counted = self.offered - self.short_abandoned
        return round(self.answered_within * 100 / counted) if counted > 0 else None

    @property
    def asa_seconds(self) -> int | None:
        return round(self.wait_seconds / self.answered) if self.answered else None

    @property
    def abandoned_percent(self) -> int | None:
        counted = self.offered - self.short_abandoned
        return round((self.abandoned - self.short_abandoned) * 100 / counted) if counted > 0 else None

    @property
    def answered_percent(self) -> int | None:
        return round(self.answered * 100 / self.offered) if self.offered else None


def rows(organisations: Iterable[int], since: dt.date, until: dt.date) -> QuerySet[CallDay]:
    return CallDay.objects.using(read_alias()).filter(
        organisation_id__in=sorted(organisations), day__gte=since, day__lte=until
    )


def totals(organisations: Iterable[int], since: dt.date, until: dt.date) -> CallLine:
    names = ("offered", "answered", "answered_within", "abandoned", "short_abandoned", "wait_seconds")
    found = rows(organisations, since, until).aggregate(**{name: Sum(name) for name in names})
    return CallLine(**{name: found[name] or 0 for name in names})


def by_queue(organisations: Iterable[int], since: dt.date, until: dt.date) -> dict[str, CallLine]:
    names = ("offered", "answered", "answered_within", "abandoned", "short_abandoned", "wait_seconds")
    lines: dict[str, CallLine] = defaultdict(CallLine)
    for values in rows(organisations, since, until).values("queue").annotate(**{f"s_{n}": Sum(n) for n in names}):
        lines[values["queue"]] = CallLine(**{name: values[f"s_{name}"] or 0 for name in names})
    return dict(lines)

"""The qualitative report of the desk (issue 20, item 3).

For the cases registered in a period (at most :data:`MAX_DAYS`), per unit (the assigned unit, else
the jurisdiction) and service, in the organisations the reader may see reports of:

* **past the deadline**: resolved after ``resolve_due``, or still running past it;
* **3× past**: the same against ``resolve_due_3x`` (``cases.sla.overdue_level`` 3);
* **time to first response** and **to resolution**, both as means in *calendar* hours (in the
  database) and in *office* hours — on each case's business calendar (``cases.sla.calendar_of``:
  the service's own hours, else the unit's office hours, Polish public holidays off);
* **reopened**: cases with a status event to ``reopened`` (``cases.actions.reopen_case``);
* **changed after closing**: closed cases with a timeline entry after ``closed_at``;
* **unhappy answers**: satisfaction survey answers at or below :data:`UNHAPPY_RATING` stars;
* **procedure not followed**: resolved cases that skipped a step of the workflow (see
  :data:`SKIPPED_STEP`);
* **complaints, appeals and petitions** (``Service.case_type``) and how many of them ran past their
  statutory deadline (:data:`STATUTORY_MONTHS`).

The counts are one grouped query on the read alias. Office hours and statutory deadlines need each
case's calendar: the cases of the period are streamed (``iterator``) once, and each case costs two
binary searches in a :class:`WorkingTimeline` built once per calendar for the whole period — so
the work is linear in the period's cases with flat memory, never a day-by-day walk per case.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import translation

from okienko.accounts.models import Organisation
from okienko.cases import sla
from okienko.cases.models import Case, CaseEvent
from okienko.cases.workflow import OPEN_STATUSES, PAUSED_STATUSES, Status
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.core.calendar import BusinessCalendar
from okienko.reports.routers import read_alias

MAX_DAYS = 2 * 366
MAX_LINES = 500
CHUNK = 5000
RUNNING = sorted(OPEN_STATUSES - PAUSED_STATUSES)
SKIPPED = (Status.CANCELLED, Status.DUPLICATE, Status.SPLIT)
# The satisfaction survey's "unhappy" answers (``notifications.models.UNHAPPY_RATING``; the two apps
# are siblings, so the number is repeated here and a test keeps them equal).
UNHAPPY_RATING = 2
# Statutory deadlines, in months from registration: a complaint (KPA art. 237 § 1), an appeal or
# request for review (KPA art. 35 § 3), a petition (ustawa o petycjach, art. 10 ust. 1).
STATUTORY_MONTHS: dict[str, int] = {
    Service.CaseType.COMPLAINT: 1,
    Service.CaseType.APPEAL: 1,
    Service.CaseType.PETITION: 3,
}
SPECIAL = tuple(STATUTORY_MONTHS)
# A resolved case skipped a step when it never was "in progress" (the expected order is
# assigned → in progress → resolved → closed; the workflow lets staff resolve straight from
# "assigned" or "reopened") or when it was resolved without any public reply to the resident.
SKIPPED_STEP = "skipped_step"
# Business time further than this past the period's start is not counted (clamped).
TIMELINE_YEARS = 5

# The measures a count of the table can be drilled into (``cases_for``).
MEASURES = (
    "cases",
    "overdue",
    "overdue_3x",
    "reopened",
    "changed",
    "unhappy",
    SKIPPED_STEP,
    "special",
    "special_late",
)


@dataclass(frozen=True)
class Line:
    unit: str
    service: str
    cases: int
    overdue: int
    overdue_3x: int
    response_hours: float | None
    resolution_hours: float | None
    reopened: int
    changed_after_closing: int
    unit_id: int | None = None
    service_id: int | None = None
    case_type: str = Service.CaseType.ORDINARY
    response_office_hours: float | None = None
    resolution_office_hours: float | None = None
    responded: int = 0
    resolved: int = 0
    unhappy: int = 0
    skipped_step: int = 0
    special: int = 0
    special_late: int = 0

    @property
    def reopen_percent(self) -> int | None:
        return _percent(self.reopened, self.cases)

    @property
    def overdue_percent(self) -> int | None:
        return _percent(self.overdue, self.cases)

    @property
    def special_late_percent(self) -> int | None:
        return _percent(self.special_late, self.special)


def _percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def _hours(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


# -- business time ----------------------------------------------------------------------------


class WorkingTimeline:
    """The office intervals of a calendar between two local days, with the office seconds before
    each interval summed up: the office time between two moments is two binary searches."""

    def __init__(self, calendar: BusinessCalendar, first: dt.date, last: dt.date) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # office seconds before each interval
        total = 0.0
        day = first
        while day <= last:
            for opens, closes in calendar.intervals_on(day):
                start, end = opens.timestamp(), closes.timestamp()
                self.starts.append(start)
                self.ends.append(end)
                self.before.append(total)
                total += end - start
            day += dt.timedelta(days=1)

    def seconds_until(self, moment: dt.datetime) -> float:
        """Office seconds from the timeline's start to ``moment`` (clamped to its ends)."""
        return self.seconds_until_epoch(moment.timestamp())

    def seconds_until_epoch(self, t: float) -> float:
        """:meth:`seconds_until` for a moment given in seconds since 1970."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        return self.between_epochs(start.timestamp(), end.timestamp())

    def between_epochs(self, start: float, end: float) -> float:
        return max(0.0, self.seconds_until_epoch(end) - self.seconds_until_epoch(start))


class _Epoch(Func):
    """A timestamp as seconds since 1970 (a float; NULL stays NULL): the office-hour pass reads
    three of them per case, and a float costs the driver far less to read than a datetime."""

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local wall time ``months`` later (the month's last day when it is shorter)."""
    local = moment.astimezone(clock.WARSAW)
    year, month = divmod(local.month - 1 + months, 12)
    year, month = local.year + year, month + 1
    day = local.day
    while True:
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def statutory_due(case_type: str, created_at: dt.datetime) -> dt.datetime | None:
    months = STATUTORY_MONTHS.get(case_type)
    return _add_months(created_at, months) if months else None


class _Calendars:
    """Each case's calendar (``cases.sla.calendar_of``) and a timeline per distinct calendar.
    The services and units of the expected (service, unit) pairs are read in two queries."""

    def __init__(self, first: dt.date, last: dt.date, keys: Iterable[tuple[int, int]] = ()) -> None:
        self.first, self.last = first, last
        self._by_key: dict[tuple[int | None, int | None], WorkingTimeline] = {}
        self._by_calendar: dict[BusinessCalendar, WorkingTimeline] = {}
        pairs = list(keys)
        self._services: dict[int, Service] = Service.objects.in_bulk({s for _u, s in pairs if s})
        self._units: dict[int, Organisation] = Organisation.objects.in_bulk({u for u, _s in pairs if u})

    def timeline(self, service_id: int | None, unit_id: int | None) -> WorkingTimeline:
        key = (service_id, unit_id)
        found = self._by_key.get(key)
        if found is None:
            service = self._services.get(service_id) if service_id else None
            if service is None and service_id:
                service = Service.objects.filter(pk=service_id).first()
            unit = self._units.get(unit_id) if unit_id else None
            if unit is None and unit_id:
                unit = Organisation.objects.filter(pk=unit_id).first()
            calendar = sla.calendar_of(service, unit)
            found = self._by_calendar.get(calendar)
            if found is None:
                found = self._by_calendar[calendar] = WorkingTimeline(calendar, self.first, self.last)
            self._by_key[key] = found
        return found


@dataclass
class _Sums:
    response: float = 0.0
    responded: int = 0
    resolution: float = 0.0
    resolved: int = 0
    special: int = 0
    special_late: int = 0
    late_ids: list[int] = field(default_factory=list)


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.WARSAW).date()


def _timeline_days(start: dt.datetime, now: dt.datetime) -> tuple[dt.date, dt.date]:
    first = _local_day(start) - dt.timedelta(days=1)
    last = min(_local_day(now), first + dt.timedelta(days=366 * TIMELINE_YEARS)) + dt.timedelta(days=1)
    return first, max(first, last)


_STREAMED = ("pk", "unit_key", "service_id", "service__case_type", "created_s", "responded_s", "resolved_s", "status")


def _stream(
    cases: QuerySet[Case],
    start: dt.datetime,
    now: dt.datetime,
    *,
    keep_late: bool = False,
    keys: Iterable[tuple[int, int]] = (),
) -> dict[tuple[int, int], _Sums]:
    """Office-hour sums and statutory deadlines per (unit, service), one pass over the cases
    (``keys``: the (unit, service) pairs expected, whose calendars are prepared at once)."""
    first, last = _timeline_days(start, now)
    calendars = _Calendars(first, last, keys)
    sums: dict[tuple[int, int], _Sums] = {}
    moments = cases.annotate(
        created_s=_Epoch("created_at"), responded_s=_Epoch("responded_at"), resolved_s=_Epoch("resolved_at")
    )
    rows: Iterator[tuple[Any, ...]] = moments.values_list(*_STREAMED).iterator(chunk_size=CHUNK)
    now_s = now.timestamp()
    for pk, unit_id, service_id, case_type, created, responded, resolved, status in rows:
        line = sums.get((unit_id, service_id))
        if line is None:
            line = sums[(unit_id, service_id)] = _Sums()
        timeline = calendars.timeline(service_id, unit_id)
        if responded is not None:
            line.response += timeline.between_epochs(created, responded)
            line.responded += 1
        if resolved is not None:
            line.resolution += timeline.between_epochs(created, resolved)
            line.resolved += 1
        if case_type in STATUTORY_MONTHS:
            due = statutory_due(case_type, dt.datetime.fromtimestamp(created, dt.UTC)).timestamp()  # type: ignore[union-attr]
            line.special += 1
            late = resolved > due if resolved is not None else (status in RUNNING and now_s > due)
            if late:
                line.special_late += 1
                if keep_late:
                    line.late_ids.append(pk)
    return sums


# -- the grouped counts -----------------------------------------------------------------------


def _filters(now: dt.datetime) -> dict[str, Q]:
    """Each measure as a filter on :func:`_cases` (which annotates the subqueries it needs)."""
    return {
        "cases": Q(),
        "overdue": Q(resolved_at__isnull=False, resolve_due__isnull=False, resolved_at__gt=F("resolve_due"))
        | Q(resolved_at__isnull=True, status__in=RUNNING, resolve_due__lt=now),
        "overdue_3x": Q(resolved_at__isnull=False, resolve_due_3x__isnull=False, resolved_at__gt=F("resolve_due_3x"))
        | Q(resolved_at__isnull=True, status__in=RUNNING, resolve_due_3x__lt=now),
        "reopened": Q(was_reopened=True),
        "changed": Q(changed_late=True, closed_at__isnull=False),
        "unhappy": Q(survey_response__rating__lte=UNHAPPY_RATING),
        SKIPPED_STEP: Q(resolved_at__isnull=False) & (Q(worked=False) | Q(replied=False)),
        "special": Q(service__case_type__in=SPECIAL),
    }


def _cases(
    scope: list[int], start: dt.datetime, end: dt.datetime, services: Iterable[int] | None = None
) -> QuerySet[Case]:
    # Each look-up is bounded by the case's own time line (``at`` from its registration): with
    # that second correlation PostgreSQL probes the (case, at) index per case of the period, instead
    # of hashing every case event of the installation to answer a month (ADR 0070).
    events = CaseEvent.objects.filter(case=OuterRef("pk"), at__gte=OuterRef("created_at"))
    reopened = events.filter(kind="status", data__to_status=Status.REOPENED)
    after_closing = CaseEvent.objects.filter(case=OuterRef("pk"), at__gt=OuterRef("closed_at")).exclude(kind="status")
    worked = events.filter(kind="status", data__to_status=Status.IN_PROGRESS)
    replied = events.filter(kind="note", is_public=True)
    cases = Case.objects.using(read_alias())
    if services is not None:
        cases = cases.filter(service_id__in=list(services))
    return (
        cases.filter(created_at__gte=start, created_at__lt=end)
        .filter(Q(assigned_unit_id__in=scope) | Q(organisation_id__in=scope))
        .exclude(status__in=SKIPPED)
        .annotate(
            unit_key=Coalesce("assigned_unit_id", "organisation_id"),
            was_reopened=Exists(reopened),
            changed_late=Exists(after_closing),
            worked=Exists(worked),
            replied=Exists(replied),
        )
    )


def report(
    organisations: Iterable[int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    services: Iterable[int] | None = None,
) -> list[Line]:
    """The lines of the report for cases registered in ``[start, end)`` of ``organisations``
    (optionally of some services only)."""
    scope = list(organisations)
    measures = _filters(now)
    cases = _cases(scope, start, end, services)
    rows = list(
        cases.annotate(
            response=ExpressionWrapper(F("responded_at") - F("created_at"), output_field=DurationField()),
            resolution=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
        )
        .annotate(unit_name=Coalesce("assigned_unit__name", "organisation__name"))
        .values("unit_key", "unit_name", "service_id")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=measures["overdue"]),
            overdue_3x=Count("id", filter=measures["overdue_3x"]),
            response_mean=Avg("response"),
            resolution_mean=Avg("resolution"),
            reopened=Count("id", filter=measures["reopened"]),
            changed=Count("id", filter=measures["changed"]),
            unhappy=Count("id", filter=measures["unhappy"]),
            skipped=Count("id", filter=measures[SKIPPED_STEP]),
        )
        .order_by("unit_name", "service_id")[:MAX_LINES]
    )
    names = dict(
        Service.objects.using(read_alias())
        .filter(pk__in={row["service_id"] for row in rows})
        .values_list("pk", "public_name")
    )
    types = dict(
        Service.objects.using(read_alias())
        .filter(pk__in={row["service_id"] for row in rows})
        .values_list("pk", "case_type")
    )
    sums = _stream(cases, start, now, keys=[(row["unit_key"], row["service_id"]) for row in rows])
    lines = []
    for row in rows:
        office = sums.get((row["unit_key"], row["service_id"]), _Sums())
        lines.append(
            Line(
                unit=row["unit_name"],
                service=names.get(row["service_id"], ""),
                cases=row["n"],
                overdue=row["overdue"],
                overdue_3x=row["overdue_3x"],
                response_hours=_hours(row["response_mean"]),
                resolution_hours=_hours(row["resolution_mean"]),
                reopened=row["reopened"],
                changed_after_closing=row["changed"],
                unit_id=row["unit_key"],
                service_id=row["service_id"],
                case_type=types.get(row["service_id"], Service.CaseType.ORDINARY),
                response_office_hours=_mean_hours(office.response, office.responded),
                resolution_office_hours=_mean_hours(office.resolution, office.resolved),
                responded=office.responded,
                resolved=office.resolved,
                unhappy=row["unhappy"],
                skipped_step=row["skipped"],
                special=office.special,
                special_late=office.special_late,
            )
        )
    lines.sort(key=lambda x: (x.unit, x.service))
    return lines


# How long a computed report is kept: a period still running changes with every case, one that
# ended before yesterday (the year before, for the trends) hardly ever.
CACHE_SECONDS = 300
CLOSED_CACHE_SECONDS = 3600


def cached_report(
    organisations: Iterable[int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    services: Iterable[int] | None = None,
) -> list[Line]:
    """:func:`report`, kept in the cache for :data:`CACHE_SECONDS` (:data:`CLOSED_CACHE_SECONDS`
    for a period that ended more than a day before ``now``) per scope, services, period and
    language, so that a page reloaded, sorted or exported does not count the cases again."""
    scope = sorted(set(organisations))
    chosen = sorted(services) if services is not None else None
    facts = [scope, chosen, start.isoformat(), end.isoformat(), translation.get_language()]
    key = "reports:quality:" + hashlib.sha256(json.dumps(facts).encode()).hexdigest()
    found: list[Line] | None = cache.get(key)
    if found is None:
        found = report(scope, start, end, now, services=chosen)
        closed = end < now - dt.timedelta(days=1)
        cache.set(key, found, CLOSED_CACHE_SECONDS if closed else CACHE_SECONDS)
    return found


def _mean_hours(seconds: float, n: int) -> float | None:
    return round(seconds / n / 3600, 1) if n else None


def total(lines: list[Line]) -> Line:
    """The sum of the lines (means weighted by the lines' cases, good enough for a total row)."""

    def mean(values: list[tuple[float | None, int]]) -> float | None:
        known = [(v, n) for v, n in values if v is not None]
        weight = sum(n for _v, n in known)
        return round(sum(v * n for v, n in known) / weight, 1) if weight else None

    def add(name: str) -> int:
        return sum(getattr(x, name) for x in lines)

    return Line(
        unit="",
        service="",
        cases=add("cases"),
        overdue=add("overdue"),
        overdue_3x=add("overdue_3x"),
        response_hours=mean([(x.response_hours, x.cases) for x in lines]),
        resolution_hours=mean([(x.resolution_hours, x.cases) for x in lines]),
        reopened=add("reopened"),
        changed_after_closing=add("changed_after_closing"),
        response_office_hours=mean([(x.response_office_hours, x.responded) for x in lines]),
        resolution_office_hours=mean([(x.resolution_office_hours, x.resolved) for x in lines]),
        responded=add("responded"),
        resolved=add("resolved"),
        unhappy=add("unhappy"),
        skipped_step=add("skipped_step"),
        special=add("special"),
        special_late=add("special_late"),
    )


# -- the year before ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A main rate now and in the same period a year before (``None`` when there were no cases)."""

    label: Any
    now: float | None
    year_before: float | None
    unit: str = "%"

    @property
    def change(self) -> float | None:
        if self.now is None or self.year_before is None:
            return None
        return round(self.now - self.year_before, 1)


def trends(current: Line | None, before: Line | None, labels: dict[str, Any]) -> list[Trend]:
    def rate(line: Line | None, part: Callable[[Line], int], whole: Callable[[Line], int]) -> float | None:
        if line is None or not whole(line):
            return None
        return round(part(line) * 100 / whole(line), 1)

    def hours(line: Line | None, name: str) -> float | None:
        return getattr(line, name) if line is not None else None

    rates: list[tuple[str, Callable[[Line], int], Callable[[Line], int]]] = [
        ("overdue", lambda x: x.overdue, lambda x: x.cases),
        ("overdue_3x", lambda x: x.overdue_3x, lambda x: x.cases),
        ("reopened", lambda x: x.reopened, lambda x: x.cases),
        ("skipped_step", lambda x: x.skipped_step, lambda x: x.resolved),
        ("special_late", lambda x: x.special_late, lambda x: x.special),
    ]
    found = [Trend(labels[key], rate(current, part, whole), rate(before, part, whole)) for key, part, whole in rates]
    name = "resolution_office_hours"
    found.append(Trend(labels[name], hours(current, name), hours(before, name), "h"))
    return found


def year_before(moment: dt.datetime) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


# -- drill-down ---------------------------------------------------------------------------------


class MeasureError(ValueError):
    pass


def cases_for(
    scope: list[int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    measure: str,
    unit_id: int | None = None,
    services: Iterable[int] | None = None,
) -> QuerySet[Case]:
    """The cases behind one count of the table (newest first), on the read alias."""
    if measure not in MEASURES:
        raise MeasureError(measure)
    cases = _cases(scope, start, end, services)
    if unit_id is not None:
        cases = cases.filter(unit_key=unit_id)  # type: ignore[misc]  # an annotation of _cases
    if measure == "special_late":
        special = cases.filter(service__case_type__in=SPECIAL)
        late = [pk for sums in _stream(special, start, now, keep_late=True).values() for pk in sums.late_ids]
        return cases.filter(pk__in=late).order_by("-created_at", "-pk")
    return cases.filter(_filters(now)[measure]).order_by("-created_at", "-pk")

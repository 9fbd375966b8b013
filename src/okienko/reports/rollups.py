"""Keeping the case and contact rollups current (issue 20, items 1 and 2; ADR 0067).

The outbox subscribers only *mark* the (office, local day) pairs an event touches
(:func:`mark`, one insert that a second event of the same day finds done). After each batch of
deliveries, :func:`flush` recomputes every marked day once from the domain tables — however many
events named it, so 300 events a second on today's cases cost a handful of recomputations — and
writes only the rows that differ (:func:`_sync`). The month tables move by the difference between
a day's old and new rows (:class:`Projection`), in the same transaction. Everything is idempotent:
an event delivered twice or late changes nothing.

``rebuild`` recomputes every row from a day on with a few GROUP BY queries (installation, after an
import, and the nightly repair that catches a case moved to another office, whose old day no event
names). Reads go to the primary database: a rollup made from a lagging replica would be wrong
until the next repair. One writer at a time (:func:`_lock`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate, TruncMonth

from okienko.cases.models import Case
from okienko.core import clock
from okienko.interactions.models import Interaction
from okienko.reports.models import (
    CaseDay,
    CaseMonth,
    ContactDay,
    ContactMonth,
    ContactMonthHour,
    ContactMonthStaff,
    RollupMark,
)


def zone() -> dt.tzinfo:
    return clock.WARSAW


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone()).date()


def day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of a local day's start and of the next day's start (DST-safe)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone())
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone())
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@dataclass(frozen=True)
class Bucket:
    day: dt.date
    organisation_id: int
    service_id: int
    channel: str
    gmina_id: str


def buckets_of(case: Case) -> set[Bucket]:
    keys = (case.organisation_id, case.service_id, case.channel, case.gmina_id or "")
    return {Bucket(day, *keys) for _office, day in days_of(case.organisation_id, case.created_at, case.resolved_at)}


def days_of(organisation_id: int, created_at: dt.datetime, resolved_at: dt.datetime | None) -> set[tuple[int, dt.date]]:
    """The (office, local day) pairs whose case rows count a case: the day it was opened and the
    day it was resolved."""
    found = {(organisation_id, local_day(created_at))}
    if resolved_at is not None:
        found.add((organisation_id, local_day(resolved_at)))
    return found


CASE_KEYS = ("day", "organisation_id", "unit_id", "service_id", "channel", "gmina_id")
CASE_SUMS = ("opened", "resolved", "resolved_in_time", "resolution_seconds")
CONTACT_KEYS = ("day", "organisation_id", "channel", "direction", "outcome", "service_id", "staff_id", "hour")
CONTACT_SUMS = ("contacts", "timed", "duration_seconds")


# A day table in memory: key (in the order of CASE_KEYS or CONTACT_KEYS) → its sums and, for cases,
# the category last. Tuples, not model instances: an office's day holds thousands of rows.
Table = dict[tuple[Any, ...], list[Any]]
CASE_EXTRA = ("category_id",)


def _case_table(opened: QuerySet[Case], resolved: QuerySet[Case]) -> Table:
    """Day rows of the cases opened in ``opened`` and resolved in ``resolved`` (two GROUP BYs)."""
    tz = zone()
    keys = ("organisation_id", "assigned_unit_id", "service_id", "service__category_id", "channel", "gmina_id")
    rows: Table = {}

    def row(day: dt.date, values: dict[str, Any]) -> list[Any]:
        key = (
            day,
            values["organisation_id"],
            values["assigned_unit_id"] or 0,
            values["service_id"],
            values["channel"],
            values["gmina_id"] or "",
        )
        found = rows.get(key)
        if found is None:
            found = rows[key] = [0, 0, 0, 0, values["service__category_id"]]
        return found

    for values in opened.annotate(d=TruncDate("created_at", tzinfo=tz)).values("d", *keys).annotate(n=Count("pk")):
        row(values["d"], values)[0] = values["n"]
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    grouped = (
        resolved.filter(resolved_at__isnull=False)
        .annotate(d=TruncDate("resolved_at", tzinfo=tz))
        .values("d", *keys)
        .annotate(
            n=Count("pk"),
            in_time=Count("pk", filter=Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
            took=Sum(took),
        )
    )
    for values in grouped:
        target = row(values["d"], values)
        duration = values["took"]
        target[1] = values["n"]
        target[2] = values["in_time"]
        target[3] = max(0, int(duration.total_seconds())) if duration is not None else 0
    return rows


def _objects(model: Any, keys: tuple[str, ...], names: tuple[str, ...], table: Table) -> list[Any]:
    return [
        model(**dict(zip(keys, key, strict=True)), **dict(zip(names, values, strict=True)))
        for key, values in table.items()
    ]


def recompute(buckets: Iterable[Bucket]) -> None:
    """Recompute the days these buckets lie in (every row of their office and day)."""
    recompute_case_days({(bucket.organisation_id, bucket.day) for bucket in buckets})


def recompute_case_days(days: Iterable[tuple[int, dt.date]]) -> None:
    """Rebuild the case rows of these (office, local day) pairs from the cases table, and move the
    month rows by the difference: idempotent, so an event delivered twice or late changes nothing."""
    for organisation_id, day in sorted(set(days)):
        start, end = day_range(day)
        cases = Case.objects.filter(organisation_id=organisation_id)
        new = _case_table(
            cases.filter(created_at__gte=start, created_at__lt=end),
            cases.filter(resolved_at__gte=start, resolved_at__lt=end),
        )
        with transaction.atomic():
            _lock()
            names = (*CASE_SUMS, *CASE_EXTRA)
            old = _stored(CaseDay, CASE_KEYS, names, day, organisation_id=organisation_id)
            _sync(CaseDay, CASE_KEYS, names, old, new)
            for projection in CASE_PROJECTIONS:
                projection.apply(old, new)


def rebuild(since: dt.date | None = None) -> int:
    """Recompute every case row from ``since`` (all days when None), and the month rows from
    ``since``'s month on; returns the number of day rows."""
    opened_q = Case.objects.all()
    resolved_q = Case.objects.filter(resolved_at__isnull=False)
    if since is not None:
        start, _end = day_range(since)
        opened_q = opened_q.filter(created_at__gte=start)
        resolved_q = resolved_q.filter(resolved_at__gte=start)
    rows = _objects(CaseDay, CASE_KEYS, (*CASE_SUMS, *CASE_EXTRA), _case_table(opened_q, resolved_q))
    with transaction.atomic():
        _lock()
        stale = CaseDay.objects.all() if since is None else CaseDay.objects.filter(day__gte=since)
        stale.delete()
        CaseDay.objects.bulk_create(rows, batch_size=2000)
        for projection in CASE_PROJECTIONS:
            projection.rebuild(since)
    return len(rows)


# -- contacts (issue 20, item 2) ----------------------------------------------------------------
def contact_bucket(interaction: Interaction) -> tuple[int, dt.date]:
    """The office and local day whose contact rows an interaction counts in."""
    return interaction.organisation_id, local_day(interaction.started_at)


def _contact_table(contacts: QuerySet[Interaction]) -> Table:
    tz = zone()
    took = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    grouped = (
        contacts.annotate(d=TruncDate("started_at", tzinfo=tz), h=ExtractHour("started_at", tzinfo=tz))
        .values("d", "h", "organisation_id", "channel", "direction", "outcome", "service_id", "staff_id")
        .annotate(
            n=Count("pk"),
            timed=Count("pk", filter=Q(ended_at__isnull=False, ended_at__gte=F("started_at"))),
            took=Sum(took, filter=Q(ended_at__isnull=False, ended_at__gte=F("started_at"))),
        )
    )
    rows: Table = {}
    for v in grouped:
        duration = v["took"]
        key: tuple[Any, ...] = (v["d"], v["organisation_id"], v["channel"], v["direction"], v["outcome"])
        key += (v["service_id"] or 0, v["staff_id"] or 0, v["h"])
        seconds = max(0, int(duration.total_seconds())) if duration is not None else 0
        rows[key] = [v["n"], v["timed"], seconds]
    return rows


def recompute_contacts(buckets: Iterable[tuple[int, dt.date]]) -> None:
    """Rebuild the contact rows of these (office, local day) pairs from the contacts and move the
    month rows by the difference: idempotent."""
    for organisation_id, day in sorted(set(buckets)):
        start, end = day_range(day)
        contacts = Interaction.objects.filter(organisation_id=organisation_id)
        new = _contact_table(contacts.filter(started_at__gte=start, started_at__lt=end))
        with transaction.atomic():
            _lock()
            old = _stored(ContactDay, CONTACT_KEYS, CONTACT_SUMS, day, organisation_id=organisation_id)
            _sync(ContactDay, CONTACT_KEYS, CONTACT_SUMS, old, new)
            for projection in CONTACT_PROJECTIONS:
                projection.apply(old, new)


def rebuild_contacts(since: dt.date | None = None) -> int:
    """Recompute every contact row from ``since`` (all days when None) and the month rows from
    ``since``'s month on; returns the number of day rows."""
    contacts = Interaction.objects.all()
    if since is not None:
        contacts = contacts.filter(started_at__gte=day_range(since)[0])
    rows = _objects(ContactDay, CONTACT_KEYS, CONTACT_SUMS, _contact_table(contacts))
    with transaction.atomic():
        _lock()
        stale = ContactDay.objects.all() if since is None else ContactDay.objects.filter(day__gte=since)
        stale.delete()
        ContactDay.objects.bulk_create(rows, batch_size=2000)
        for projection in CONTACT_PROJECTIONS:
            projection.rebuild(since)
    return len(rows)


def rebuild_months(since: dt.date | None = None) -> None:
    """Recompute the month rows from the day rows (from ``since``'s month on)."""
    with transaction.atomic():
        _lock()
        for projection in (*CASE_PROJECTIONS, *CONTACT_PROJECTIONS):
            projection.rebuild(since)


def rebuild_all(since: dt.date | None = None) -> int:
    """Every rollup: cases, contacts and calls (the command and the nightly repair)."""
    from okienko.reports import calls

    return rebuild(since) + rebuild_contacts(since) + calls.rebuild(since)


# -- marks and the flush (ADR 0067, addendum 3) ---------------------------------------------------
def mark(kind: str, days: Iterable[tuple[int, dt.date]]) -> None:
    """Note (office, day) pairs whose rows are out of date; :func:`flush` recomputes them."""
    marks = [RollupMark(kind=kind, organisation_id=org, day=day) for org, day in set(days)]
    if marks:
        RollupMark.objects.bulk_create(marks, ignore_conflicts=True)


def flush(limit: int = 500) -> int:
    """Recompute the marked days, each once however many events marked it; returns how many.

    A mark is deleted before its day is read, so an event that lands while the day is being
    recomputed marks it again and the next flush takes it."""
    done = 0
    while done < limit:
        with transaction.atomic():
            marks = list(RollupMark.objects.select_for_update(skip_locked=True).order_by("id")[:100])
            if not marks:
                break
            RollupMark.objects.filter(pk__in=[m.pk for m in marks]).delete()
        cases = [(m.organisation_id, m.day) for m in marks if m.kind == RollupMark.Kind.CASES]
        contacts = [(m.organisation_id, m.day) for m in marks if m.kind == RollupMark.Kind.CONTACTS]
        try:
            recompute_case_days(cases)
            recompute_contacts(contacts)
        except Exception:
            mark(RollupMark.Kind.CASES, cases)  # not lost: the next flush tries again
            mark(RollupMark.Kind.CONTACTS, contacts)
            raise
        done += len(marks)
    return done


def _lock() -> None:
    """One writer of the rollups at a time (the flush, a rebuild): a transaction-scoped advisory
    lock on PostgreSQL; SQLite lets one writer in anyway."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


LOCK_KEY = 0x6F6B_7270  # "okrp"


Stored = dict[tuple[Any, ...], tuple[int, list[Any]]]


def _stored(model: Any, keys: tuple[str, ...], names: tuple[str, ...], day: dt.date, **where: Any) -> Stored:
    """The stored rows of one day: key → (primary key, values) (the day is not read back)."""
    found: Stored = {}
    rest_keys = keys[1:]  # keys[0] is the day
    for pk, *rest in model.objects.filter(day=day, **where).values_list("pk", *rest_keys, *names):
        found[(day, *rest[: len(rest_keys)])] = (pk, list(rest[len(rest_keys) :]))
    return found


def _sync(model: Any, keys: tuple[str, ...], names: tuple[str, ...], old: Stored, new: Table) -> None:
    """Make the stored rows ``old`` equal ``new``: delete, update and insert only what differs."""
    gone = [pk for key, (pk, _values) in old.items() if key not in new]
    changed, added = [], []
    for key, values in new.items():
        was = old.get(key)
        if was is None:
            added.append(model(**dict(zip(keys, key, strict=True)), **dict(zip(names, values, strict=True))))
        elif was[1] != values:
            changed.append(model(pk=was[0], **dict(zip(names, values, strict=True))))
    if gone:
        model.objects.filter(pk__in=gone).delete()
    if changed:
        model.objects.bulk_update(changed, list(names), batch_size=500)
    if added:
        model.objects.bulk_create(added, batch_size=2000)


@dataclass(frozen=True)
class Projection:
    """A month table as a projection of a day table: ``keys`` of the month row (``month`` first)
    from a day row by ``key``; ``grouped`` builds it from the day table in the database."""

    model: Any
    day_model: Any
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    key: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # from a day row's key
    on_create: Callable[[list[Any]], dict[str, Any]] = lambda _values: {}  # from its values
    day_fields: dict[str, Any] = field(default_factory=dict)
    values: tuple[str, ...] = ()  # not keys: taken from the latest day row (a service's category)

    def apply(self, old: Stored, new: Table) -> None:
        """Move the month rows by (new day rows − old day rows)."""
        width = len(self.sums)
        delta: dict[tuple[Any, ...], list[int]] = {}
        extras: dict[tuple[Any, ...], dict[str, Any]] = {}
        for key, (_pk, values) in old.items():
            change = delta.setdefault(self.key(key), [0] * width)
            for i in range(width):
                change[i] -= values[i]
        for key, values in new.items():
            month_key = self.key(key)
            change = delta.setdefault(month_key, [0] * width)
            for i in range(width):
                change[i] += values[i]
            extras[month_key] = self.on_create(values)
        emptied = False
        for key, change in delta.items():
            if not any(change):
                continue
            where = dict(zip(self.keys, key, strict=True))
            moved = {name: F(name) + value for name, value in zip(self.sums, change, strict=True) if value}
            if not self.model.objects.filter(**where).update(**moved):
                self.model.objects.create(**where, **extras.get(key, {}), **dict(zip(self.sums, change, strict=True)))
            emptied = emptied or any(value < 0 for value in change)
        if emptied:  # a month row left with nothing in it goes, as a rebuild would not make it
            months = {key[0] for key in delta}
            organisations = {key[1] for key in delta}
            self.model.objects.filter(
                month__in=months, organisation_id__in=organisations, **dict.fromkeys(self.sums, 0)
            ).delete()

    def rebuild(self, since: dt.date | None) -> None:
        """Recompute the month rows from ``since``'s month on from the day rows (in the database)."""
        days = self.day_model.objects.all()
        months = self.model.objects.all()
        if since is not None:
            first = since.replace(day=1)
            days = days.filter(day__gte=first)
            months = months.filter(month__gte=first)
        months.delete()
        names = [name for name in self.keys if name != "month" and name not in self.day_fields]
        grouped = (
            days.annotate(month=TruncMonth("day"), **self.day_fields)
            .values("month", *self.day_fields, *names)
            .annotate(
                **{f"s_{name}": Sum(name) for name in self.sums},
                # not a key: the service's category (the latest, should a service have moved)
                **{name: Max(name) for name in self.values},
            )
        )
        rows = []
        for values in grouped.iterator(chunk_size=5000):
            month = values["month"]
            if isinstance(month, dt.datetime):
                month = month.date()
            rows.append(
                self.model(
                    month=month,
                    **{name: values[name] for name in self.keys if name != "month"},
                    **{name: values[name] for name in self.values},
                    **{name: values[f"s_{name}"] or 0 for name in self.sums},
                )
            )
        self.model.objects.bulk_create(rows, batch_size=2000)


@functools.lru_cache(maxsize=4096)
def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


CASE_PROJECTIONS = (
    Projection(
        model=CaseMonth,
        day_model=CaseDay,
        keys=("month", "organisation_id", "unit_id", "service_id", "channel"),
        sums=CASE_SUMS,
        key=lambda k: (month_of(k[0]), k[1], k[2], k[3], k[4]),
        on_create=lambda v: {"category_id": v[4]},
        values=CASE_EXTRA,
    ),
)
CONTACT_PROJECTIONS = (
    Projection(
        model=ContactMonth,
        day_model=ContactDay,
        keys=("month", "organisation_id", "channel", "direction", "outcome", "service_id"),
        sums=CONTACT_SUMS,
        key=lambda k: (month_of(k[0]), k[1], k[2], k[3], k[4], k[5]),
    ),
    Projection(
        model=ContactMonthStaff,
        day_model=ContactDay,
        keys=("month", "organisation_id", "staff_id", "outcome"),
        sums=CONTACT_SUMS,
        key=lambda k: (month_of(k[0]), k[1], k[6], k[4]),
    ),
    Projection(
        model=ContactMonthHour,
        day_model=ContactDay,
        keys=("month", "organisation_id", "weekday", "hour", "outcome"),
        sums=CONTACT_SUMS,
        key=lambda k: (month_of(k[0]), k[1], k[0].isoweekday(), k[7], k[4]),
        day_fields={"weekday": ExtractIsoWeekDay("day")},
    ),
)

"""Keeping the case and contact rollups current (issue 20, items 1 and 2).

``recompute`` rebuilds the rows of the buckets a case belongs to (the day it was opened and the day
it was resolved) from the cases table: idempotent, so the outbox may deliver an event twice or
late. ``rebuild`` recomputes every bucket from a day on with two GROUP BY queries (installation,
after an import, and the nightly repair that catches a case moved to another service or
organisation, whose old bucket no event names). Reads go to the primary database: a rollup made
from a lagging replica would be wrong until the next repair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate

from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.interactions.models import Interaction
from okienko.reports.models import CaseDay, ContactDay


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
    found = {Bucket(local_day(case.created_at), *keys)}
    if case.resolved_at is not None:
        found.add(Bucket(local_day(case.resolved_at), *keys))
    return found


def _keys(bucket: Bucket) -> Q:
    gmina = Q(gmina_id=bucket.gmina_id) if bucket.gmina_id else Q(gmina__isnull=True)
    return Q(organisation_id=bucket.organisation_id, service_id=bucket.service_id, channel=bucket.channel) & gmina


def recompute(buckets: Iterable[Bucket]) -> None:
    """Rebuild these buckets' rows from the cases, one row per assigned unit (a bucket with
    nothing left loses its rows; a case moved to another unit leaves the old unit's row here)."""
    for bucket in sorted(buckets, key=lambda b: (b.day, b.organisation_id, b.service_id, b.channel, b.gmina_id)):
        start, end = day_range(bucket.day)
        cases = Case.objects.filter(_keys(bucket))
        opened: dict[int, int] = {}
        for unit in cases.filter(created_at__gte=start, created_at__lt=end).values_list("assigned_unit_id", flat=True):
            opened[unit or 0] = opened.get(unit or 0, 0) + 1
        resolved: dict[int, list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]] = {}
        for unit, created, done, due in cases.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(
            "assigned_unit_id", "created_at", "resolved_at", "resolve_due"
        ):
            if done is not None:
                resolved.setdefault(unit or 0, []).append((created, done, due))
        category = Service.objects.filter(pk=bucket.service_id).values_list("category_id", flat=True).first()
        key: dict[str, Any] = {
            "day": bucket.day,
            "organisation_id": bucket.organisation_id,
            "service_id": bucket.service_id,
            "channel": bucket.channel,
            "gmina_id": bucket.gmina_id,
        }
        rows = []
        for unit in sorted(set(opened) | set(resolved)):
            done_here = resolved.get(unit, [])
            seconds = sum(int((done - created).total_seconds()) for created, done, _d in done_here)
            rows.append(
                CaseDay(
                    **key,
                    unit_id=unit,
                    category_id=category,
                    opened=opened.get(unit, 0),
                    resolved=len(done_here),
                    resolved_in_time=sum(1 for _c, done, due in done_here if due is None or done <= due),
                    resolution_seconds=max(0, seconds),
                )
            )
        with transaction.atomic():
            CaseDay.objects.filter(**key).delete()
            CaseDay.objects.bulk_create(rows)


def rebuild(since: dt.date | None = None) -> int:
    """Recompute every row from ``since`` (all days when None); returns the number of rows."""
    tz = zone()
    cases = Case.objects.all()
    opened_q = cases
    resolved_q = cases.filter(resolved_at__isnull=False)
    if since is not None:
        start, _end = day_range(since)
        opened_q = opened_q.filter(created_at__gte=start)
        resolved_q = resolved_q.filter(resolved_at__gte=start)
    keys = ("organisation_id", "assigned_unit_id", "service_id", "service__category_id", "channel", "gmina_id")
    rows: dict[tuple[object, ...], CaseDay] = {}

    def row(day: dt.date, values: dict[str, Any]) -> CaseDay:
        unit = values["assigned_unit_id"] or 0
        key = (day, values["organisation_id"], unit, values["service_id"], values["channel"], values["gmina_id"] or "")
        if key not in rows:
            rows[key] = CaseDay(
                day=day,
                organisation_id=values["organisation_id"],
                unit_id=unit,
                service_id=values["service_id"],
                category_id=values["service__category_id"],
                channel=values["channel"],
                gmina_id=values["gmina_id"] or "",
            )
        return rows[key]

    for values in opened_q.annotate(d=TruncDate("created_at", tzinfo=tz)).values("d", *keys).annotate(n=Count("pk")):
        row(values["d"], values).opened = values["n"]
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    resolved = (
        resolved_q.annotate(d=TruncDate("resolved_at", tzinfo=tz))
        .values("d", *keys)
        .annotate(
            n=Count("pk"),
            in_time=Count("pk", filter=Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
            took=Sum(took),
        )
    )
    for values in resolved:
        target = row(values["d"], values)
        target.resolved = values["n"]
        target.resolved_in_time = values["in_time"]
        duration = values["took"]
        target.resolution_seconds = max(0, int(duration.total_seconds())) if duration is not None else 0
    with transaction.atomic():
        stale = CaseDay.objects.all() if since is None else CaseDay.objects.filter(day__gte=since)
        stale.delete()
        CaseDay.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


# -- contacts (issue 20, item 2) ----------------------------------------------------------------
def contact_bucket(interaction: Interaction) -> tuple[int, dt.date]:
    """The office and local day whose contact rows an interaction counts in."""
    return interaction.organisation_id, local_day(interaction.started_at)


def _contact_rows(contacts: QuerySet[Interaction]) -> list[ContactDay]:
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
    rows: list[ContactDay] = []
    for v in grouped:
        duration = v["took"]
        rows.append(
            ContactDay(
                day=v["d"],
                hour=v["h"],
                organisation_id=v["organisation_id"],
                channel=v["channel"],
                direction=v["direction"],
                outcome=v["outcome"],
                service_id=v["service_id"] or 0,
                staff_id=v["staff_id"] or 0,
                contacts=v["n"],
                timed=v["timed"],
                duration_seconds=max(0, int(duration.total_seconds())) if duration is not None else 0,
            )
        )
    return rows


def recompute_contacts(buckets: Iterable[tuple[int, dt.date]]) -> None:
    """Rebuild the rows of these (office, local day) buckets from the contacts: idempotent."""
    for organisation_id, day in sorted(set(buckets)):
        start, end = day_range(day)
        contacts = Interaction.objects.filter(organisation_id=organisation_id)
        contacts = contacts.filter(started_at__gte=start, started_at__lt=end)
        rows = _contact_rows(contacts)
        with transaction.atomic():
            ContactDay.objects.filter(organisation_id=organisation_id, day=day).delete()
            ContactDay.objects.bulk_create(rows)


def rebuild_contacts(since: dt.date | None = None) -> int:
    """Recompute every contact row from ``since`` (all days when None); returns the number of rows."""
    contacts = Interaction.objects.all()
    if since is not None:
        contacts = contacts.filter(started_at__gte=day_range(since)[0])
    rows = _contact_rows(contacts)
    with transaction.atomic():
        stale = ContactDay.objects.all() if since is None else ContactDay.objects.filter(day__gte=since)
        stale.delete()
        ContactDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rebuild_all(since: dt.date | None = None) -> int:
    """Both rollups (the command and the nightly repair)."""
    return rebuild(since) + rebuild_contacts(since)

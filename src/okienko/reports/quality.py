"""The qualitative report of the desk (issue 20, item 3), first slice.

For the cases registered in a period (at most :data:`MAX_DAYS`), per unit (the assigned unit, else
the jurisdiction) and service, in the organisations the reader may see reports of:

* **past the deadline**: resolved after ``resolve_due``, or still running past it;
* **3× past**: the same against ``resolve_due_3x`` (``cases.sla.overdue_level`` 3);
* **time to first response** and **to resolution**: means in *calendar* hours (business time
  would need each case's calendar in Python; the page says so);
* **reopened**: cases with a status event to ``reopened`` (``cases.actions.reopen_case``);
* **changed after closing**: closed cases with a timeline entry after ``closed_at``.

Everything is counted in the database on the read alias (one grouped query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import Coalesce

from okienko.cases.models import Case, CaseEvent
from okienko.cases.workflow import OPEN_STATUSES, PAUSED_STATUSES, Status
from okienko.reports.routers import read_alias

MAX_DAYS = 2 * 366
MAX_LINES = 500
RUNNING = sorted(OPEN_STATUSES - PAUSED_STATUSES)
SKIPPED = (Status.CANCELLED, Status.DUPLICATE, Status.SPLIT)


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

    @property
    def reopen_percent(self) -> int | None:
        return round(self.reopened * 100 / self.cases) if self.cases else None


def _hours(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def report(organisations: Iterable[int], start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[Line]:
    """The lines of the report for cases registered in ``[start, end)`` of ``organisations``."""
    scope = list(organisations)
    late = Q(resolved_at__isnull=False, resolve_due__isnull=False, resolved_at__gt=F("resolve_due")) | Q(
        resolved_at__isnull=True, status__in=RUNNING, resolve_due__lt=now
    )
    late_3x = Q(resolved_at__isnull=False, resolve_due_3x__isnull=False, resolved_at__gt=F("resolve_due_3x")) | Q(
        resolved_at__isnull=True, status__in=RUNNING, resolve_due_3x__lt=now
    )
    reopened = CaseEvent.objects.filter(case=OuterRef("pk"), kind="status", data__to_status=Status.REOPENED)
    after_closing = CaseEvent.objects.filter(case=OuterRef("pk"), at__gt=OuterRef("closed_at")).exclude(kind="status")
    rows = (
        Case.objects.using(read_alias())
        .filter(created_at__gte=start, created_at__lt=end)
        .filter(Q(assigned_unit_id__in=scope) | Q(organisation_id__in=scope))
        .exclude(status__in=SKIPPED)
        .annotate(
            unit_name=Coalesce("assigned_unit__name", "organisation__name"),
            was_reopened=Exists(reopened),
            changed_late=Exists(after_closing),
            response=ExpressionWrapper(F("responded_at") - F("created_at"), output_field=DurationField()),
            resolution=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
        )
        .values("unit_name", "service__public_name")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=late),
            overdue_3x=Count("id", filter=late_3x),
            response_mean=Avg("response"),
            resolution_mean=Avg("resolution"),
            reopened=Count("id", filter=Q(was_reopened=True)),
            changed=Count("id", filter=Q(changed_late=True, closed_at__isnull=False)),
        )
        .order_by("unit_name", "service__public_name")[:MAX_LINES]
    )
    return [
        Line(
            unit=row["unit_name"],
            service=row["service__public_name"],
            cases=row["n"],
            overdue=row["overdue"],
            overdue_3x=row["overdue_3x"],
            response_hours=_hours(row["response_mean"]),
            resolution_hours=_hours(row["resolution_mean"]),
            reopened=row["reopened"],
            changed_after_closing=row["changed"],
        )
        for row in rows
    ]


def total(lines: list[Line]) -> Line:
    """The sum of the lines (means weighted by the lines' cases, good enough for a total row)."""

    def mean(values: list[tuple[float | None, int]]) -> float | None:
        known = [(v, n) for v, n in values if v is not None]
        weight = sum(n for _v, n in known)
        return round(sum(v * n for v, n in known) / weight, 1) if weight else None

    return Line(
        unit="",
        service="",
        cases=sum(x.cases for x in lines),
        overdue=sum(x.overdue for x in lines),
        overdue_3x=sum(x.overdue_3x for x in lines),
        response_hours=mean([(x.response_hours, x.cases) for x in lines]),
        resolution_hours=mean([(x.resolution_hours, x.cases) for x in lines]),
        reopened=sum(x.reopened for x in lines),
        changed_after_closing=sum(x.changed_after_closing for x in lines),
    )

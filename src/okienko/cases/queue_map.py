"""What the 2nd-line queue shows besides the case rows: each case's age and the points of its map view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, QuerySet, Value, When
from django.urls import reverse

from okienko.cases.models import Case, CaseQuerySet, Priority
from okienko.catalogue.models import PRIORITY_RANK
from okienko.core import formatting

# The map shows at most this many cases of the current filter (the soonest deadlines first);
# the page says when more match, so the expert narrows the filter instead of waiting for 10,000 pins.
MAP_LIMIT = 500


def age_days(case: Case, now: dt.datetime) -> int:
    """Whole days since the case was registered (0 on the day of registration)."""
    return max(0, (now - case.created_at).days)


def by_priority(cases: CaseQuerySet) -> CaseQuerySet:
    """Most urgent first, then the soonest deadline."""
    rank = CaseWhen(
        *[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()],
        default=Value(PRIORITY_RANK[Priority.NORMAL]),
        output_field=IntegerField(),
    )
    return cases.order_by(rank.desc(), "resolve_due", "id")


def map_points(cases: QuerySet[Case], now: dt.datetime) -> dict[str, Any]:
    """The located cases of the filtered queue as plain data for the map, and how many are left out."""
    located = cases.filter(latitude__isnull=False, longitude__isnull=False)
    rows = list(located[: MAP_LIMIT + 1])
    points = [
        {
            "number": case.number,
            "url": reverse("cases:detail", args=[case.uuid]),
            "lat": float(case.latitude or 0),
            "lon": float(case.longitude or 0),
            "priority": case.priority,
            "priority_label": str(case.get_priority_display()),
            "service": case.service.public_name,
            "address": case.address,
            "status": str(case.get_status_display()),
            "due": formatting.when(case.resolve_due) if case.resolve_due else "",
            "overdue": case.overdue_level_at(now),
        }
        for case in rows[:MAP_LIMIT]
    ]
    return {
        "points": points,
        "more_than_limit": len(rows) > MAP_LIMIT,
        "map_limit": MAP_LIMIT,
        "unlocated": cases.filter(latitude__isnull=True).count(),
    }

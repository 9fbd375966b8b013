"""Hot-spot detection, the early warning of the spatial reports (issue 20, item 4).

For each office (the case's jurisdiction) and service, the cases of the last seven days are
counted per grid cell of :data:`CELL` degrees (0.01° ≈ 1.1 km north–south, 0.7 km east–west in
Poland) and compared with the cell's **usual weekly rate**: the mean of the :data:`WEEKS` weeks
before (a cell that had none gets a floor of half a case over the whole baseline). A cell is
flagged when it has at least :data:`MIN_COUNT` cases **and** the Poisson upper tail
``P(X ≥ count | rate)`` is below :data:`P_LIMIT`. Both counts are two grouped queries on the read
alias (cells are ``floor(lat / CELL)``, ``floor(lon / CELL)``); the statistic is computed in Python
over the few candidate cells.

:func:`record` keeps the flags as :class:`~okienko.reports.models.HotSpot` rows (one per office,
service, ISO week and cell; created and updated with an audit entry), which the map page and the
dashboard list for the reader's scope. A **new** row also emits ``reports.hotspot_flagged`` in the
same transaction (the notifications app tells the staff who act on it; a count change of a row
already recorded emits nothing, so a re-run of the same week tells nobody twice).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Floor
from django.urls import reverse

from okienko.cases.models import Case
from okienko.core import audit, clock, events
from okienko.reports.hotspot_models import HotSpot
from okienko.reports.maps import SHOWN_STATUSES
from okienko.reports.rollups import local_day
from okienko.reports.routers import read_alias

CELL = 0.01
WEEKS = 8
MIN_COUNT = 5
P_LIMIT = 0.01
RECENT_WEEKS = 4  # how far back the desk lists recorded hot spots
MAX_LISTED = 50
ZOOM = 15  # the desk map's zoom for a link to one cell (about 1.5 km across on screen)
FLAGGED = "reports.hotspot_flagged"


@dataclass(frozen=True)
class Flag:
    organisation_id: int
    service_id: int
    cy: int
    cx: int
    count: int
    expected: float
    p_value: float

    @property
    def latitude(self) -> float:
        return round((self.cy + 0.5) * CELL, 6)

    @property
    def longitude(self) -> float:
        return round((self.cx + 0.5) * CELL, 6)


def poisson_tail(count: int, rate: float) -> float:
    """``P(X ≥ count)`` for a Poisson variable with mean ``rate`` (1 for count ≤ 0)."""
    if count <= 0:
        return 1.0
    if rate <= 0:
        return 0.0
    # 1 - P(X ≤ count - 1), summed in log space so large rates do not overflow
    term = math.exp(-rate)
    below = term
    for k in range(1, count):
        term *= rate / k
        below += term
    if below < 0.999:
        return max(0.0, 1.0 - below)
    # near 1: sum the upper tail directly for precision
    log_term = -rate + count * math.log(rate) - math.lgamma(count + 1)
    total, k = 0.0, count
    while True:
        value = math.exp(log_term)
        total += value
        if value < 1e-17 * max(total, 1e-300) or k > count + 10_000:
            return min(1.0, total)
        k += 1
        log_term += math.log(rate) - math.log(k)


def _cells(cases: QuerySet[Case]) -> QuerySet[Case, dict[str, int]]:
    return (
        cases.annotate(
            cy=Floor(Cast("latitude", FloatField()) / CELL),
            cx=Floor(Cast("longitude", FloatField()) / CELL),
        )
        .values("organisation_id", "service_id", "cy", "cx")
        .annotate(n=Count("id"))
    )


def _located(start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    return Case.objects.using(read_alias()).filter(
        created_at__gte=start,
        created_at__lt=end,
        latitude__isnull=False,
        longitude__isnull=False,
        status__in=SHOWN_STATUSES,
    )


def detect(
    now: dt.datetime | None = None,
    *,
    organisations: Iterable[int] | None = None,
    min_count: int = MIN_COUNT,
    p_limit: float = P_LIMIT,
) -> list[Flag]:
    """The cells of the seven days before ``now`` far above their usual rate, most unusual first."""
    end = now or clock.now()
    start = end - dt.timedelta(days=7)
    current = _located(start, end)
    if organisations is not None:
        current = current.filter(organisation_id__in=sorted(set(organisations)))
    candidates = {
        (row["organisation_id"], row["service_id"], int(row["cy"]), int(row["cx"])): row["n"]
        for row in _cells(current).filter(n__gte=min_count)  # type: ignore[misc]  # an annotation
    }
    if not candidates:
        return []
    services = sorted({key[1] for key in candidates})
    offices = sorted({key[0] for key in candidates})
    baseline_rows = _cells(
        _located(start - dt.timedelta(days=7 * WEEKS), start).filter(
            service_id__in=services, organisation_id__in=offices
        )
    )
    baseline = {
        (row["organisation_id"], row["service_id"], int(row["cy"]), int(row["cx"])): row["n"] for row in baseline_rows
    }
    flags = []
    for key, count in candidates.items():
        expected = baseline.get(key, 0) / WEEKS
        rate = max(expected, 0.5 / WEEKS)
        p_value = poisson_tail(count, rate)
        if p_value < p_limit:
            flags.append(Flag(*key, count=count, expected=round(expected, 3), p_value=p_value))
    return sorted(flags, key=lambda f: (f.p_value, -f.count, f.service_id, f.cy, f.cx))


def links(spot: HotSpot, at: dt.datetime) -> dict[str, str]:
    """Site-relative links for a message about ``spot``: the desk map filtered to its service and
    the detection's seven days, zoomed to the cell (``#map=zoom/lat/lon``, read by
    ``desk_map.js``), and the list of recorded hot spots on the same page."""
    day = local_day(at)
    page = reverse("reports_map:map")
    query = urlencode(
        {"since": (day - dt.timedelta(days=6)).isoformat(), "until": day.isoformat(), "service": spot.service_id}
    )
    return {
        "map_path": f"{page}?{query}#map={ZOOM}/{spot.latitude:.4f}/{spot.longitude:.4f}",
        "list_path": f"{page}#hotspots-h",
    }


def week_of(now: dt.datetime) -> dt.date:
    day = local_day(now)
    return day - dt.timedelta(days=day.weekday())


def record(flags: Iterable[Flag], now: dt.datetime | None = None) -> list[HotSpot]:
    """Keep the flags (one row per office, service, week and cell); returns the new ones."""
    at = now or clock.now()
    week = week_of(at)
    created: list[HotSpot] = []
    for flag in flags:
        lat, lon = Decimal(f"{flag.latitude:.6f}"), Decimal(f"{flag.longitude:.6f}")
        with transaction.atomic():
            spot = (
                HotSpot.objects.select_for_update()
                .filter(
                    organisation_id=flag.organisation_id,
                    service_id=flag.service_id,
                    week=week,
                    latitude=lat,
                    longitude=lon,
                )
                .first()
            )
            if spot is None:
                spot = HotSpot.objects.create(
                    organisation_id=flag.organisation_id,
                    service_id=flag.service_id,
                    week=week,
                    latitude=lat,
                    longitude=lon,
                    cell=CELL,
                    count=flag.count,
                    expected=flag.expected,
                    p_value=flag.p_value,
                    first_flagged_at=at,
                    updated_at=at,
                )
                audit.record(
                    "reports.hotspot.flagged",
                    actor=None,
                    obj=spot,
                    organisation_id=flag.organisation_id,
                    data={"service": flag.service_id, "count": flag.count, "expected": flag.expected},
                )
                events.emit(
                    FLAGGED,
                    obj=spot,
                    organisation_id=flag.organisation_id,
                    payload={
                        "hotspot": spot.pk,
                        "service": flag.service_id,
                        "week": week.isoformat(),
                        "latitude": f"{lat:.4f}",
                        "longitude": f"{lon:.4f}",
                        "count": flag.count,
                        "expected": flag.expected,
                        **links(spot, at),
                    },
                )
                created.append(spot)
            elif spot.count != flag.count:
                before = spot.count
                spot.count, spot.expected, spot.p_value, spot.updated_at = (
                    flag.count,
                    flag.expected,
                    flag.p_value,
                    at,
                )
                spot.save(update_fields=["count", "expected", "p_value", "updated_at"])
                audit.record(
                    "reports.hotspot.updated",
                    actor=None,
                    obj=spot,
                    organisation_id=flag.organisation_id,
                    changes={"count": [before, flag.count]},
                )
    return created


def run(now: dt.datetime | None = None) -> list[HotSpot]:
    """Detect and record (the periodic task and ``manage.py reports_hotspots``)."""
    at = now or clock.now()
    return record(detect(at), at)


def recent(organisations: Iterable[int], now: dt.datetime | None = None) -> QuerySet[HotSpot]:
    """Recorded hot spots of the last weeks that the reader's scope covers: the case's office,
    or the unit responsible for the service."""
    ids = sorted(set(organisations))
    since = week_of(now or clock.now()) - dt.timedelta(weeks=RECENT_WEEKS - 1)
    return (
        HotSpot.objects.using(read_alias())
        .filter(Q(organisation_id__in=ids) | Q(service__responsible_unit_id__in=ids), week__gte=since)
        .select_related("service", "organisation")
        .order_by("-week", "p_value", "-count", "pk")[:MAX_LISTED]
    )

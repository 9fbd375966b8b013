"""The public map of recent requests (issue 20, items 4 and 7): what it may show and how coarsely.

Only cases that :func:`okienko.cases.publication.listed` allows, of the last ``days`` days (30 by
default, at most 90); never a description, a name, an address or an exact place. Every feature is
a grid cell, placed at the cell's centre (never at the mean of its cases, which would give one
case's place away), with counts only:

* below :data:`DETAIL_ZOOM` the cells are about 64 screen pixels wide (at least 0.01°);
* from :data:`DETAIL_ZOOM` to :data:`MAX_ZOOM` a place rounded to 3 decimals (~100 m) is shown only
  when at least :data:`K` cases share it; the rest are counted in their 0.01° cell (~1 km), so one
  address cannot be singled out.

A box larger than the installation's extent (or than a screen at the zoom asked for) and a zoom
beyond :data:`MAX_ZOOM` are refused with a reason (:class:`MapRequestError`). Counting happens in
the database on the read alias; the answer is capped at :data:`MAX_FEATURES` and cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Floor, Round
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.cases.models import Case
from okienko.cases.publication import LISTED, listed
from okienko.cases.workflow import OPEN_STATUSES, Status
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core import clock, reference
from okienko.reports.routers import read_alias

K = 3
DETAIL_ZOOM = 15
MAX_ZOOM = 16
MIN_ZOOM = 5
DEFAULT_DAYS = 30
MAX_DAYS = 90
MAX_FEATURES = 1500
CACHE_SECONDS = 300
COARSE = 0.01  # degrees: the cell that holds the places with fewer than K cases
SCREEN_TILES = 24  # a request box may span at most this many 256-px tiles at its zoom
POLAND = (49.0, 14.1, 54.9, 24.2)  # south, west, north, east
MARGIN = 0.5  # degrees around the extent (a screen is rarely the extent's shape)
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)
SHOWN_STATUSES = tuple(sorted(OPEN_STATUSES | set(CLOSED_STATUSES)))  # not cancelled, merged or split
OPEN, CLOSED = "otwarte", "zamkniete"

BBox = tuple[float, float, float, float]  # south, west, north, east


class MapRequestError(ValueError):
    """A request the map refuses: ``slug`` names the reason for programs, ``detail`` for people."""

    def __init__(self, slug: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail
        self.extra = extra


@dataclass(frozen=True)
class Filters:
    days: int = DEFAULT_DAYS
    service: int | None = None
    category: int | None = None
    status: str = ""  # "", OPEN or CLOSED

    def key(self) -> str:
        return f"{self.days}:{self.service}:{self.category}:{self.status}"


@dataclass(frozen=True)
class View:
    bbox: BBox
    zoom: int


@dataclass
class MapData:
    features: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def extent() -> BBox:
    """The box of the territory the installation's offices serve (cached), else Poland."""
    found = cache.get("reports:map:extent")
    if found is None:
        codes = sorted({code for code in Organisation.objects.values_list("territory__code", flat=True) if code})
        box = reference.bbox_of(codes) if codes else None
        found = list(box or POLAND)
        cache.set("reports:map:extent", found, 3600)
    south, west, north, east = (float(v) for v in found)
    return (south, west, north, east)


def public_services() -> QuerySet[Service]:
    return (
        Service.objects.using(read_alias())
        .filter(active=True, is_public=True, publication__in=LISTED)
        .order_by("public_name", "pk")
    )


def public_categories() -> QuerySet[ServiceCategory]:
    return (
        ServiceCategory.objects.using(read_alias())
        .filter(active=True, services__in=public_services())
        .distinct()
        .order_by("name", "pk")
    )


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = (params.get(name) or "").strip()[:12]
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise MapRequestError(
            "invalid-parameter", _("The value of “%(name)s” is not a number.") % {"name": name}, parameter=name
        ) from None


def parse_filters(params: Mapping[str, str]) -> Filters:
    """The filters of a request (``dni``, ``usluga``, ``kategoria``, ``status``) or the reason they are refused."""
    days = _int(params, "dni")
    if days is None:
        days = DEFAULT_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise MapRequestError(
            "period-too-long",
            _("The period may be from 1 to %(max)d days.") % {"max": MAX_DAYS},
            parameter="dni",
            max_days=MAX_DAYS,
        )
    service = _int(params, "usluga")
    if service is not None and not public_services().filter(pk=service).exists():
        raise MapRequestError("unknown-service", _("There is no such published matter."), parameter="usluga")
    category = _int(params, "kategoria")
    if category is not None and not public_categories().filter(pk=category).exists():
        raise MapRequestError("unknown-category", _("There is no such category."), parameter="kategoria")
    status = (params.get("status") or "").strip()[:20]
    if status not in ("", OPEN, CLOSED):
        raise MapRequestError("invalid-status", _("The status may be “otwarte” or “zamkniete”."), parameter="status")
    return Filters(days=days, service=service, category=category, status=status)


def _float(raw: str) -> float:
    value = float(raw.strip()[:24])
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def tile_degrees(zoom: int) -> float:
    return 360.0 / float(2**zoom)


def parse_view(params: Mapping[str, str]) -> View:
    """The box (``bbox=west,south,east,north``) and ``zoom`` of a request, or the reason they are refused."""
    area = extent()
    zoom = _int(params, "zoom")
    if zoom is None:
        zoom = 8
    if zoom > MAX_ZOOM:
        raise MapRequestError(
            "zoom-too-high",
            _("The map shows no more detail than zoom %(max)d, so that no single address can be found.")
            % {"max": MAX_ZOOM},
            parameter="zoom",
            max_zoom=MAX_ZOOM,
        )
    if zoom < 0:
        raise MapRequestError("invalid-parameter", _("The zoom may not be negative."), parameter="zoom")
    raw = (params.get("bbox") or "").strip()
    if not raw:
        return View(bbox=area, zoom=max(zoom, MIN_ZOOM))
    try:
        west, south, east, north = (_float(part) for part in raw.split(",", 4)[:5])
    except ValueError:
        raise MapRequestError(
            "invalid-bbox", _("Give the box as four numbers: west,south,east,north."), parameter="bbox"
        ) from None
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise MapRequestError(
            "invalid-bbox", _("Give the box as four numbers: west,south,east,north."), parameter="bbox"
        )
    max_lat = area[2] - area[0] + 2 * MARGIN
    max_lon = area[3] - area[1] + 2 * MARGIN
    if north - south > max_lat or east - west > max_lon:
        raise MapRequestError(
            "bbox-too-large",
            _("The box is larger than the area the offices serve; zoom in."),
            parameter="bbox",
            extent=[area[1], area[0], area[3], area[2]],
        )
    screen = tile_degrees(zoom) * SCREEN_TILES
    if east - west > screen or north - south > screen:
        raise MapRequestError(
            "bbox-too-large-for-zoom",
            _("The box is larger than a screen at this zoom; zoom out or ask for a smaller box."),
            parameter="bbox",
        )
    return View(bbox=(south, west, north, east), zoom=max(zoom, MIN_ZOOM))


def cases_for(filters: Filters, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The located, published cases the map counts (on the read alias)."""
    now = now or clock.now()
    cases = listed(Case.objects.using(read_alias())).filter(
        created_at__gte=now - dt.timedelta(days=filters.days),
        status__in=SHOWN_STATUSES,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    if filters.service is not None:
        cases = cases.filter(service_id=filters.service)
    if filters.category is not None:
        cases = cases.filter(service__category_id=filters.category)
    if filters.status == OPEN:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status == CLOSED:
        cases = cases.filter(status__in=CLOSED_STATUSES)
    return cases


def cell_degrees(zoom: int) -> float:
    """The grid below DETAIL_ZOOM: a quarter of a tile (~64 px), never finer than COARSE."""
    return max(tile_degrees(zoom) / 4, COARSE)


def _feature(lat: float, lon: float, count: int, open_count: int, *, kind: str, size: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
        "properties": {
            "kind": kind,
            "count": count,
            "open": open_count,
            "closed": count - open_count,
            "cell": round(size, 6),
        },
    }


def _in_box(cases: QuerySet[Case], bbox: BBox) -> QuerySet[Case]:
    south, west, north, east = bbox
    return cases.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


def _grid(cases: QuerySet[Case], size: float) -> MapData:
    rows = list(
        cases.annotate(
            cy=Floor(Cast("latitude", FloatField()) / size),
            cx=Floor(Cast("longitude", FloatField()) / size),
        )
        .values("cy", "cx")
        .annotate(n=Count("id"), o=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("-n", "cy", "cx")[: MAX_FEATURES + 1]
    )
    features = [
        _feature((row["cy"] + 0.5) * size, (row["cx"] + 0.5) * size, row["n"], row["o"], kind="cell", size=size)
        for row in rows[:MAX_FEATURES]
    ]
    return MapData(features=features, truncated=len(rows) > MAX_FEATURES)


def _places(cases: QuerySet[Case]) -> MapData:
    """Places (3 decimals) with at least K cases; the others merged into their COARSE cell."""
    rows = list(
        cases.annotate(
            iy=Round(Cast("latitude", FloatField()) * 1000),
            ix=Round(Cast("longitude", FloatField()) * 1000),
        )
        .values("iy", "ix")
        .annotate(n=Count("id"), o=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("-n", "iy", "ix")[: MAX_FEATURES * 4 + 1]
    )
    truncated = len(rows) > MAX_FEATURES * 4
    features: list[dict[str, Any]] = []
    small: dict[tuple[int, int], list[int]] = {}
    step = round(COARSE * 1000)
    for row in rows[: MAX_FEATURES * 4]:
        iy, ix = int(row["iy"]), int(row["ix"])
        if row["n"] >= K:
            features.append(_feature(iy / 1000, ix / 1000, row["n"], row["o"], kind="place", size=0.001))
        else:
            counts = small.setdefault((iy // step, ix // step), [0, 0])
            counts[0] += row["n"]
            counts[1] += row["o"]
    for (cy, cx), (n, o) in sorted(small.items(), key=lambda item: (-item[1][0], item[0])):
        features.append(_feature((cy + 0.5) * COARSE, (cx + 0.5) * COARSE, n, o, kind="cell", size=COARSE))
    if len(features) > MAX_FEATURES:
        return MapData(features=features[:MAX_FEATURES], truncated=True)
    return MapData(features=features, truncated=truncated)


def map_data(filters: Filters, view: View) -> MapData:
    cases = _in_box(cases_for(filters), view.bbox)
    if view.zoom >= DETAIL_ZOOM:
        return _places(cases)
    return _grid(cases, cell_degrees(view.zoom))


def geojson(filters: Filters, view: View) -> dict[str, Any]:
    """The FeatureCollection of a request, cached for :data:`CACHE_SECONDS` per filters and box."""
    # The box is snapped outward to the grid so that neighbouring requests share the cache.
    snap = cell_degrees(view.zoom) if view.zoom < DETAIL_ZOOM else COARSE
    south, west, north, east = view.bbox
    box = (
        math.floor(south / snap) * snap,
        math.floor(west / snap) * snap,
        math.ceil(north / snap) * snap,
        math.ceil(east / snap) * snap,
    )
    snapped = View(bbox=box, zoom=view.zoom)
    digest = hashlib.sha256(f"{filters.key()}|{view.zoom}|{box}".encode()).hexdigest()[:32]
    key = f"reports:map:{digest}"
    found = cache.get(key)
    if found is not None:
        return json.loads(found)  # type: ignore[no-any-return]
    data = map_data(filters, snapped)
    body = {
        "type": "FeatureCollection",
        "features": data.features,
        "truncated": data.truncated,
        "k": K,
        "days": filters.days,
        "zoom": view.zoom,
    }
    cache.set(key, json.dumps(body), CACHE_SECONDS)
    return body


@dataclass(frozen=True)
class ListLine:
    district: str
    service: str
    count: int
    open: int
    closed: int


def list_lines(filters: Filters) -> list[ListLine]:
    """The same cases for the table: counts per district (gmina) and matter, capped."""
    rows = (
        cases_for(filters)
        .values("gmina__name", "service__public_name")
        .annotate(n=Count("id"), o=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by("gmina__name", "service__public_name")[:MAX_FEATURES]
    )
    return [
        ListLine(
            district=row["gmina__name"] or "",
            service=row["service__public_name"],
            count=row["n"],
            open=row["o"],
            closed=row["n"] - row["o"],
        )
        for row in rows
    ]

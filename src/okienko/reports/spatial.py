"""The desk's spatial reports (issue 20, item 4): cases on a map for staff with ``reports.view``.

Three **layers**, each counting the cases of the reader's scope (jurisdiction or assigned unit in
scope, as the dashboard) registered in a period:

* ``event`` — the place of the event (the case's point); cells of a grid that follows the zoom down
  to :data:`MIN_CELL` (about 110 m, street level) — never one case's exact point;
* ``residence`` — the client's home gmina (the register keeps no coordinates of homes): counted
  per powiat and voivodeship, and as cells at each powiat's centre;
* ``reporting`` — the office that recorded the contact the case was opened from (else the case's
  office), at the office's main location.

Each layer gives **cells** (counts at cell centres, for the points and the heat map) and
**regions** (counts per powiat, ``0000``-style TERYT codes, or per voivodeship) for the choropleth.
A point is put in its powiat by the gmina's TERYT code when the case carries one, else by
point-in-polygon over the boundaries shipped in ``okienko.core.reference`` (ray casting with a
bounding-box prefilter, cached per 0.01° cell). Counting is done in the database on the read alias.

Bad input raises :class:`okienko.reports.maps.MapRequestError` with a reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import BigIntegerField, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Floor, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from okienko.accounts.models import Location, Organisation
from okienko.cases.models import Case
from okienko.cases.workflow import OPEN_STATUSES
from okienko.catalogue.models import Service
from okienko.core import geometry as plane
from okienko.core import reference
from okienko.interactions.models import Interaction
from okienko.reports import areas
from okienko.reports.area_models import Area
from okienko.reports.forms import PeriodForm
from okienko.reports.maps import (
    CLOSED,
    CLOSED_STATUSES,
    MARGIN,
    OPEN,
    SHOWN_STATUSES,
    BBox,
    MapRequestError,
    extent,
    tile_degrees,
)
from okienko.reports.routers import read_alias

EVENT, RESIDENCE, REPORTING = "event", "residence", "reporting"
LAYERS = (EVENT, RESIDENCE, REPORTING)
AREA = "area"  # the areas the organisations in scope imported (ADR 0071)
LEVELS = ("powiat", "voivodeship", AREA)
MIN_ZOOM, MAX_ZOOM, DEFAULT_ZOOM = 5, 18, 11
MIN_CELL = 0.001  # degrees (~110 m north–south): street level, never one address
PIP_CELL = 0.01  # cases without a TERYT code are put in a powiat by the centre of this cell
AREA_CELL = 0.0005  # cases are put in an imported area by the centre of this cell (~55 m)
MAX_FEATURES = 3000
CACHE_SECONDS = 120
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Filters:
    since: dt.date
    until: dt.date  # inclusive
    service: int | None = None
    status: str = ""  # "", OPEN or CLOSED
    layer: str = EVENT

    def key(self) -> str:
        return f"{self.since}:{self.until}:{self.service}:{self.status}:{self.layer}"

    def query(self) -> dict[str, str]:
        data = {"since": self.since.isoformat(), "until": self.until.isoformat(), "layer": self.layer}
        if self.service is not None:
            data["service"] = str(self.service)
        if self.status:
            data["status"] = self.status
        return data


def services_in(scope: Iterable[int]) -> QuerySet[Service]:
    """The services a reader may filter by: of the offices in scope, above them, or run by a unit in scope."""
    ids = sorted(set(scope))
    paths = Organisation.objects.using(read_alias()).filter(pk__in=ids).values_list("path", flat=True)
    above: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        above.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
    return (
        Service.objects.using(read_alias())
        .filter(
            Q(organisation_id__in=ids) | Q(responsible_unit_id__in=ids) | Q(organisation__path__in=sorted(above)),
            active=True,
        )
        .order_by("public_name", "pk")
    )


def _text(params: Mapping[str, str], name: str, size: int = 20) -> str:
    return (params.get(name) or "").strip()[:size]


def parse_filters(params: Mapping[str, str], scope: Iterable[int], today: dt.date) -> Filters:
    """The filters of a request, or :class:`MapRequestError` with the reason."""
    period = {"since": _text(params, "since"), "until": _text(params, "until") or today.isoformat()}
    if not period["since"]:
        period["since"] = (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    form = PeriodForm(period)
    if not form.is_valid():
        reasons = [str(e) for errors in form.errors.values() for e in errors]
        raise MapRequestError("invalid-period", " ".join(reasons) or _("Choose a period."), parameter="since")
    layer = _text(params, "layer") or EVENT
    if layer not in LAYERS:
        raise MapRequestError(
            "unknown-layer", _("The layer may be “event”, “residence” or “reporting”."), parameter="layer"
        )
    raw = _text(params, "service", 12)
    service = None
    if raw:
        try:
            service = int(raw)
        except ValueError:
            raise MapRequestError(
                "unknown-service", _("There is no such matter in your reports."), parameter="service"
            ) from None
        if not services_in(scope).filter(pk=service).exists():
            raise MapRequestError("unknown-service", _("There is no such matter in your reports."), parameter="service")
    status = _text(params, "status")
    if status not in ("", OPEN, CLOSED):
        raise MapRequestError("invalid-status", _("The status may be “otwarte” or “zamkniete”."), parameter="status")
    return Filters(
        since=form.cleaned_data["since"], until=form.cleaned_data["until"], service=service, status=status, layer=layer
    )


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def cases_for(scope: Iterable[int], filters: Filters) -> QuerySet[Case]:
    """The cases of the reader's scope that the filters choose (on the read alias)."""
    ids = sorted(set(scope))
    cases = Case.objects.using(read_alias()).filter(
        Q(organisation_id__in=ids) | Q(assigned_unit_id__in=ids),
        created_at__gte=_start(filters.since),
        created_at__lt=_start(filters.until + dt.timedelta(days=1)),
        status__in=SHOWN_STATUSES,
    )
    if filters.service is not None:
        cases = cases.filter(service_id=filters.service)
    if filters.status == OPEN:
        cases = cases.filter(status__in=sorted(OPEN_STATUSES))
    elif filters.status == CLOSED:
        cases = cases.filter(status__in=CLOSED_STATUSES)
    return cases


# -- the view on screen -----------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    bbox: BBox  # south, west, north, east
    zoom: int


def _float(raw: str) -> float:
    value = float(raw.strip()[:24])
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def parse_view(params: Mapping[str, str]) -> View:
    """``bbox=west,south,east,north`` and ``zoom`` (5–18), or the reason they are refused."""
    area = extent()
    raw_zoom = _text(params, "zoom", 12)
    try:
        zoom = int(raw_zoom) if raw_zoom else DEFAULT_ZOOM
    except ValueError:
        raise MapRequestError("invalid-parameter", _("The zoom is not a number."), parameter="zoom") from None
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise MapRequestError(
            "invalid-zoom",
            _("The zoom may be from %(min)d to %(max)d.") % {"min": MIN_ZOOM, "max": MAX_ZOOM},
            parameter="zoom",
        )
    raw = _text(params, "bbox", 200)
    if not raw:
        return View(bbox=area, zoom=zoom)
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
    if north - south > area[2] - area[0] + 2 * MARGIN or east - west > area[3] - area[1] + 2 * MARGIN:
        raise MapRequestError(
            "bbox-too-large",
            _("The box is larger than the area the offices serve; zoom in."),
            parameter="bbox",
            extent=[area[1], area[0], area[3], area[2]],
        )
    return View(bbox=(south, west, north, east), zoom=zoom)


def cell_degrees(zoom: int) -> float:
    """About 64 screen pixels (a quarter of a tile), never finer than :data:`MIN_CELL`."""
    return max(tile_degrees(zoom) / 4, MIN_CELL)


# -- powiaty ----------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=65536)
def powiat_of_cell(cy: int, cx: int) -> str:
    """The powiat of a :data:`PIP_CELL` cell's centre (cached: a city has a few hundred cells)."""
    return reference.powiat_at((cy + 0.5) * PIP_CELL, (cx + 0.5) * PIP_CELL)


@functools.lru_cache(maxsize=1)
def powiat_centres() -> dict[str, tuple[float, float]]:
    """A point inside-ish each powiat (the centroid of its largest ring) for the residence layer."""
    centres: dict[str, tuple[float, float]] = {}
    for code, _kind, box, polygons in reference._powiat_shapes():
        ring = max((polygon[0] for polygon in polygons), key=len)
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > 1e-12:
            centres[code] = (cy / (3 * area), cx / (3 * area))
        else:
            centres[code] = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return centres


@functools.lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    units = reference.territorial_units()
    names: dict[str, str] = {}
    for code, (name, _kind) in units.items():
        if len(code) == 4:
            names[code] = name
        elif len(code) == 2:
            names[code] = name.lower()  # TERC writes voivodeships in capitals; Poles write "łódzkie"
    return names


@dataclass
class Region:
    code: str
    name: str
    count: int = 0
    open: int = 0

    @property
    def closed(self) -> int:
        return self.count - self.open

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "count": self.count, "open": self.open, "closed": self.closed}


def _open_count() -> Count:
    return Count("id", filter=Q(status__in=sorted(OPEN_STATUSES)))


def _reporting_office(cases: QuerySet[Case]) -> QuerySet[Case]:
    first_contact = (
        Interaction.objects.filter(case_id=OuterRef("pk")).order_by("started_at", "pk").values("organisation_id")[:1]
    )
    return cases.annotate(
        office=Coalesce(Subquery(first_contact), F("organisation_id"), output_field=BigIntegerField())
    )


@functools.lru_cache(maxsize=1)
def _office_places_cached(stamp: int) -> dict[int, tuple[float, float, str, str]]:
    del stamp
    places: dict[int, tuple[float, float, str, str]] = {}
    rows = (
        Location.objects.using(read_alias())
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("organisation_id", "-is_main", "name", "pk")
        .values_list("organisation_id", "latitude", "longitude", "teryt_id", "organisation__name")
    )
    for org_id, lat, lon, teryt, name in rows:
        places.setdefault(org_id, (float(lat or 0), float(lon or 0), str(teryt or ""), str(name)))
    return places


def office_places() -> dict[int, tuple[float, float, str, str]]:
    """Each office's main located seat: (lat, lon, gmina code, office name); refreshed every 10 minutes."""
    return _office_places_cached(int(timezone.now().timestamp() // 600))


def _counts_by_point(cases: QuerySet[Case], size: float) -> list[tuple[int, int, int, int]]:
    rows = (
        cases.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(cy=Floor(Cast("latitude", FloatField()) / size), cx=Floor(Cast("longitude", FloatField()) / size))
        .values("cy", "cx")
        .annotate(n=Count("id"), o=_open_count())
        .order_by("-n", "cy", "cx")
    )
    return [(int(r["cy"]), int(r["cx"]), r["n"], r["o"]) for r in rows[: MAX_FEATURES * 4]]


def _feature(lat: float, lon: float, count: int, open_count: int, size: float, label: str = "") -> dict[str, Any]:
    props: dict[str, Any] = {"count": count, "open": open_count, "closed": count - open_count, "cell": round(size, 6)}
    if label:
        props["label"] = label
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        "properties": props,
    }


def _inside(bbox: BBox, lat: float, lon: float) -> bool:
    return bbox[0] <= lat <= bbox[2] and bbox[1] <= lon <= bbox[3]


def cells(scope: Iterable[int], filters: Filters, view: View) -> dict[str, Any]:
    """Counts at cell centres in the box (a FeatureCollection), for the points and the heat map."""
    cases = cases_for(scope, filters)
    size = cell_degrees(view.zoom)
    south, west, north, east = view.bbox
    features: list[dict[str, Any]] = []
    if filters.layer == EVENT:
        boxed = cases.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
        for cy, cx, n, o in _counts_by_point(boxed, size):
            features.append(_feature((cy + 0.5) * size, (cx + 0.5) * size, n, o, size))
    elif filters.layer == RESIDENCE:
        centres = powiat_centres()
        names = region_names()
        for region in _residence_powiaty(cases):
            centre = centres.get(region.code)
            if centre and _inside(view.bbox, *centre):
                features.append(_feature(*centre, region.count, region.open, 0.0, names.get(region.code, "")))
    else:
        places = office_places()
        for office, n, o in _reporting_counts(cases):
            place = places.get(office)
            if place and _inside(view.bbox, place[0], place[1]):
                features.append(_feature(place[0], place[1], n, o, 0.0, place[3]))
    features.sort(key=lambda f: -f["properties"]["count"])
    return {
        "type": "FeatureCollection",
        "features": features[:MAX_FEATURES],
        "truncated": len(features) > MAX_FEATURES,
        "layer": filters.layer,
        "zoom": view.zoom,
        "cell": round(size, 6),
    }


def _residence_powiaty(cases: QuerySet[Case]) -> list[Region]:
    rows = (
        cases.filter(client__gmina_id__isnull=False)
        .annotate(code=Substr("client__gmina_id", 1, 4))
        .values("code")
        .annotate(n=Count("id"), o=_open_count())
        .order_by("code")
    )
    return [Region(code=r["code"], name="", count=r["n"], open=r["o"]) for r in rows]


def _reporting_counts(cases: QuerySet[Case]) -> list[tuple[int, int, int]]:
    rows = (
        _reporting_office(cases)
        .values("office")  # type: ignore[misc]  # an annotation
        .annotate(n=Count("id"), o=_open_count())
        .order_by("-n", "office")
    )
    return [(int(r["office"]), r["n"], r["o"]) for r in rows[:MAX_FEATURES]]


def _powiat_counts(scope: Iterable[int], filters: Filters) -> tuple[Counter[str], Counter[str], int]:
    """(count, open) per powiat code, and the cases that could not be placed."""
    cases = cases_for(scope, filters)
    count: Counter[str] = Counter()
    opened: Counter[str] = Counter()
    unplaced = 0
    if filters.layer == EVENT:
        coded = (
            cases.filter(gmina_id__isnull=False)
            .annotate(code=Substr("gmina_id", 1, 4))
            .values("code")
            .annotate(n=Count("id"), o=_open_count())
        )
        for row in coded:
            count[row["code"]] += row["n"]
            opened[row["code"]] += row["o"]
        loose = cases.filter(gmina_id__isnull=True)
        for cy, cx, n, o in _counts_by_point(loose, PIP_CELL):
            code = powiat_of_cell(cy, cx)
            if code:
                count[code] += n
                opened[code] += o
            else:
                unplaced += n
        unplaced += loose.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count()
    elif filters.layer == RESIDENCE:
        for region in _residence_powiaty(cases):
            count[region.code] += region.count
            opened[region.code] += region.open
        unplaced = cases.filter(client__gmina_id__isnull=True).count()
    else:
        places = office_places()
        for office, n, o in _reporting_counts(cases):
            place = places.get(office)
            code = ""
            if place:
                code = (
                    place[2][:4]
                    if place[2]
                    else powiat_of_cell(math.floor(place[0] / PIP_CELL), math.floor(place[1] / PIP_CELL))
                )
            if code:
                count[code] += n
                opened[code] += o
            else:
                unplaced += n
    return count, opened, unplaced


def regions(scope: Iterable[int], filters: Filters, level: str = "powiat") -> dict[str, Any]:
    """Counts per powiat (or voivodeship) for the choropleth and the table, and the unplaced cases."""
    count, opened, unplaced = _powiat_counts(scope, filters)
    width = 4 if level == "powiat" else 2
    names = region_names()
    merged: dict[str, Region] = {}
    for code, n in count.items():
        key = code[:width]
        region = merged.setdefault(key, Region(code=key, name=names.get(key, key)))
        region.count += n
        region.open += opened[code]
    lines = sorted(merged.values(), key=lambda r: (-r.count, r.name))
    return {
        "level": level,
        "layer": filters.layer,
        "regions": [r.as_dict() for r in lines],
        "total": sum(r.count for r in lines) + unplaced,
        "unplaced": unplaced,
    }


def area_regions(scope: Iterable[int], filters: Filters, kind: str) -> dict[str, Any]:
    """Counts per imported area of ``kind`` of the organisations in scope or above it (ADR 0071,
    :func:`areas.owners`) — the cases counted are always the scope's own: the place of
    the event or of reporting by point in polygon (the smallest area containing the centre of the
    case's :data:`AREA_CELL` cell), the residence by an area whose code is the client's gmina code
    (areas of kind ``gmina`` coded by TERYT). ``code`` is the area's id (as in :func:`area_boundaries`)."""
    found = areas.shapes(scope, kind)
    rows = (
        Area.objects.using(read_alias())
        .filter(organisation_id__in=areas.owners(scope), kind=kind)
        .values_list("pk", "code", "name")
    )
    info = {pk: (code, name) for pk, code, name in rows}
    cases = cases_for(scope, filters)
    count: Counter[int] = Counter()
    opened: Counter[int] = Counter()
    if filters.layer == EVENT and found:
        south = min(box[0] for _pk, box, _p in found)
        west = min(box[1] for _pk, box, _p in found)
        north = max(box[2] for _pk, box, _p in found)
        east = max(box[3] for _pk, box, _p in found)
        boxed = cases.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east).filter(
            latitude__isnull=False, longitude__isnull=False
        )
        grouped = (
            boxed.annotate(
                cy=Floor(Cast("latitude", FloatField()) / AREA_CELL),
                cx=Floor(Cast("longitude", FloatField()) / AREA_CELL),
            )
            .values("cy", "cx")
            .annotate(n=Count("id"), o=_open_count())
            .order_by()
        )
        for row in grouped:
            pk = areas.area_at(found, (int(row["cy"]) + 0.5) * AREA_CELL, (int(row["cx"]) + 0.5) * AREA_CELL)
            if pk is not None:
                count[pk] += row["n"]
                opened[pk] += row["o"]
    elif filters.layer == REPORTING and found:
        places = office_places()
        for office, n, o in _reporting_counts(cases):
            place = places.get(office)
            pk = areas.area_at(found, place[0], place[1]) if place else None
            if pk is not None:
                count[pk] += n
                opened[pk] += o
    elif filters.layer == RESIDENCE:
        by_code = {code: pk for pk, (code, _name) in info.items()}
        homes = (
            cases.filter(client__gmina_id__in=sorted(by_code))
            .values("client__gmina_id")
            .annotate(n=Count("id"), o=_open_count())
            .order_by()
        )
        for row in homes:
            pk = by_code[row["client__gmina_id"]]
            count[pk] += row["n"]
            opened[pk] += row["o"]
    total = cases.count()
    lines = [Region(code=str(pk), name=info[pk][1], count=n, open=opened[pk]) for pk, n in count.items() if pk in info]
    lines.sort(key=lambda r: (-r.count, r.name))
    placed = sum(r.count for r in lines)
    return {
        "level": AREA,
        "kind": kind,
        "layer": filters.layer,
        "regions": [{**r.as_dict(), "area_code": info[int(r.code)][0]} for r in lines],
        "total": total,
        "unplaced": total - placed,
        "areas": len(info),
    }


def cached(kind: str, scope: Iterable[int], filters: Filters, extra: str, compute: Any) -> dict[str, Any]:
    """``compute()`` cached for :data:`CACHE_SECONDS` per scope, filters and ``extra`` (box, level)."""
    ids = ",".join(str(i) for i in sorted(set(scope)))
    digest = hashlib.sha256(f"{kind}|{ids}|{filters.key()}|{extra}".encode()).hexdigest()[:32]
    key = f"reports:desk-map:{digest}"
    found = cache.get(key)
    if found is not None:
        return json.loads(found)  # type: ignore[no-any-return]
    body: dict[str, Any] = compute()
    cache.set(key, json.dumps(body), CACHE_SECONDS)
    return body


def snapped(view: View) -> View:
    """The box snapped outward to the grid, so that neighbouring requests share the cache."""
    snap = cell_degrees(view.zoom)
    south, west, north, east = view.bbox
    return View(
        bbox=(
            math.floor(south / snap) * snap,
            math.floor(west / snap) * snap,
            math.ceil(north / snap) * snap,
            math.ceil(east / snap) * snap,
        ),
        zoom=view.zoom,
    )


# -- boundaries for the browser ---------------------------------------------------------------------
SIMPLIFY = 0.002  # degrees (~150–220 m): Douglas–Peucker tolerance of the boundaries sent to browsers


def _simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker (iterative): the points farther than ``tolerance`` from the chord stay."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else math.hypot(x - x0, y - y0)
            if distance > worst:
                worst, index = distance, i
        if index > 0 and worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _ring(ring: list[list[float]], digits: int = 3, tolerance: float = SIMPLIFY) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_rest in ring:
        point = [round(float(x), digits), round(float(y), digits)]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    # split the closed ring at its middle so that both halves keep their ends
    half = len(out) // 2
    if half < 2:
        return out
    return _simplify(out[: half + 1], tolerance)[:-1] + _simplify(out[half:], tolerance)


def area_boundaries(scope: Iterable[int], kind: str) -> bytes:
    """The scope's imported areas of ``kind``, rounded to 4 decimals and thinned (Douglas–Peucker,
    a quarter of :data:`SIMPLIFY`: districts are smaller than powiaty); ``code`` is the area's id.
    Areas of the organisations above the scope come too (:func:`areas.owners`)."""
    ids = areas.owners(scope)
    return _area_boundaries(ids, kind, areas.stamp(ids, kind))


@functools.lru_cache(maxsize=8)
def _area_boundaries(ids: tuple[int, ...], kind: str, version: str) -> bytes:
    del version
    rows = (
        Area.objects.using(read_alias())
        .filter(organisation_id__in=ids, kind=kind)
        .order_by("name", "pk")
        .values_list("pk", "name", "geometry")
    )
    features = []
    for pk, name, geometry in rows:
        polygons = []
        for polygon in plane.polygons_of(geometry):
            rings = [_ring(ring, 4, SIMPLIFY / 4) for ring in polygon]
            if len(rings[0]) >= 4:  # an outer ring thinned away takes its holes with it
                polygons.append([rings[0], *(r for r in rings[1:] if len(r) >= 4)])
        features.append(
            {
                "type": "Feature",
                "properties": {"code": str(pk), "name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def area_boundaries_gzip(scope: Iterable[int], kind: str) -> bytes:
    return gzip.compress(area_boundaries(scope, kind), mtime=0)


@functools.lru_cache(maxsize=2)
def boundaries(level: str) -> bytes:
    """The shipped powiat or voivodeship boundaries rounded to 3 decimals and thinned (Douglas–Peucker,
    :data:`SIMPLIFY`): about 320 KB of powiaty, 90 KB gzipped (:func:`boundaries_gzip`)."""
    name = "powiaty" if level == "powiat" else "wojewodztwa"
    data = json.loads(reference.boundaries(name))
    names = region_names()
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        code = reference.teryt_of(feature)
        if geometry["type"] == "Polygon":
            coordinates: Any = [r for r in (_ring(ring) for ring in geometry["coordinates"]) if len(r) >= 4]
        else:
            coordinates = [
                [r for r in (_ring(ring) for ring in polygon) if len(r) >= 4] for polygon in geometry["coordinates"]
            ]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": names.get(code, code)},
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=2)
def boundaries_gzip(level: str) -> bytes:
    return gzip.compress(boundaries(level), mtime=0)

"""Areas an organisation imports for the desk map (ADR 0071): a GeoJSON FeatureCollection of its
city districts, osiedla or gminy, checked feature by feature.

* The file: JSON at most :data:`MAX_BYTES`, a ``FeatureCollection`` in WGS84 (a ``crs`` member
  naming anything else, e.g. EPSG:2180, or coordinates that are all out of range refuse the file
  with the advice to reproject).
* A feature: a Polygon or MultiPolygon whose coordinates are finite longitudes and latitudes and
  whose rings are closed with at least four points; a name (and a code: a property, else the name
  made into a slug) from the properties chosen, or found among :data:`NAME_KEYS` /
  :data:`CODE_KEYS`. A feature that fails is listed (index, field, reason) and left out.
* Saving: in one transaction, by code — a re-import updates, never duplicates; areas missing from
  the file are removed only with ``replace`` and only when no feature was rejected. Audited. A
  refused file changes nothing.

:func:`area_at` and :func:`shapes` put points in the imported areas (smallest area first, so a city
outline shipped with its districts never hides them).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.core import audit, clock
from okienko.core import geometry as plane
from okienko.core.actors import Actor
from okienko.reports.area_models import Area, AreaImport, AreaKind
from okienko.reports.routers import read_alias

MAX_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 5000
MAX_POINTS = 2_000_000  # in the whole file
MAX_REJECTIONS = 1000  # kept and shown; the counts say how many more
DIGITS = 6  # ~0.1 m: what is kept of a coordinate
NAME_KEYS = ("name", "nazwa", "NAZWA", "Name", "NAME", "osiedle", "dzielnica", "NAZWA_OS", "JPT_NAZWA_")
CODE_KEYS = ("code", "kod", "KOD", "id", "ID", "teryt", "TERYT", "JPT_KOD_JE")
WGS84 = ("CRS84", "4326")


class AreaImportRefused(Exception):
    """The whole file is refused (nothing changes): ``reason`` is a slug, ``message`` for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Rejection:
    index: int  # the feature's position in the file, from 1
    field: str  # "geometry", "name", "code" or "feature"
    reason: str


@dataclass(frozen=True)
class Parsed:
    code: str
    name: str
    geometry: dict[str, Any]
    bbox: plane.BBox


@dataclass
class Outcome:
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    name_property: str = ""
    code_property: str = ""
    dry_run: bool = False
    kept: int = 0  # areas not in the file, kept (no ``replace``, or features were rejected)
    record: AreaImport | None = None

    def counts(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": len(self.rejected),
            "kept": self.kept,
            "name_property": self.name_property,
            "code_property": self.code_property,
        }


# -- reading the file ----------------------------------------------------------------------------------
def _reproject() -> str:
    return _("The coordinates are not longitudes and latitudes (WGS84); reproject the file to WGS84 (EPSG:4326).")


def load(data: bytes) -> dict[str, Any]:
    """The file as a FeatureCollection, or :class:`AreaImportRefused`."""
    if len(data) > MAX_BYTES:
        raise AreaImportRefused(
            "too-large", _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise AreaImportRefused("not-json", _("The file is not GeoJSON (JSON text in UTF-8).")) from None
    except RecursionError:
        raise AreaImportRefused(
            "too-deep", _("The file is nested far deeper than GeoJSON ever is; it was not read.")
        ) from None
    if not isinstance(loaded, dict) or loaded.get("type") != "FeatureCollection":
        raise AreaImportRefused("not-collection", _("The file must be a GeoJSON FeatureCollection."))
    features = loaded.get("features")
    if not isinstance(features, list) or not features:
        raise AreaImportRefused("no-features", _("The file has no features."))
    if len(features) > MAX_FEATURES:
        raise AreaImportRefused("too-many", _("The file has more than %(count)d features.") % {"count": MAX_FEATURES})
    crs = loaded.get("crs")
    if crs is not None:
        name = str(((crs.get("properties") or {}) if isinstance(crs, dict) else {}).get("name", ""))[:200]
        if not any(mark in name for mark in WGS84):
            raise AreaImportRefused("not-wgs84", _reproject())
    return loaded


def _properties(feature: Any) -> dict[str, Any]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props if isinstance(props, dict) else {}


def detect(features: Sequence[Any], keys: Sequence[str]) -> str:
    """The first of ``keys`` that some feature's properties carry ('' when none does)."""
    present = {key for feature in features[:200] for key in _properties(feature)}
    return next((key for key in keys if key in present), "")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


class _Bad(Exception):
    pass


def _ring(raw: Any, budget: list[int]) -> list[list[float]]:
    if not isinstance(raw, list):
        raise _Bad(_("A ring is not a list of points."))
    if len(raw) < 4:
        raise _Bad(_("A ring has fewer than four points."))
    budget[0] -= len(raw)
    if budget[0] < 0:
        raise AreaImportRefused("too-many-points", _("The file has too many points (simplify it)."))
    ring: list[list[float]] = []
    for point in raw:
        if not isinstance(point, list) or len(point) < 2:
            raise _Bad(_("A point is not a pair of numbers."))
        try:
            x, y = _number(point[0]), _number(point[1])
        except ValueError:
            raise _Bad(_("A coordinate is not a finite number.")) from None
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise _Bad(_reproject())
        ring.append([round(x, DIGITS), round(y, DIGITS)])
    if ring[0] != ring[-1]:
        raise _Bad(_("A ring is not closed (its last point must repeat the first)."))
    return ring


def _geometry(raw: Any, budget: list[int]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Bad(_("The feature has no geometry."))
    kind = raw.get("type")
    coordinates = raw.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _Bad(_("The geometry must be a Polygon or MultiPolygon, not %(type)s.") % {"type": str(kind)[:30]})
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise _Bad(_("The geometry has no coordinates."))
    clean: list[list[list[list[float]]]] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise _Bad(_("A polygon has no rings."))
        clean.append([_ring(ring, budget) for ring in polygon])
    return {"type": kind, "coordinates": clean[0] if kind == "Polygon" else clean}


def parse(
    collection: dict[str, Any], *, name_property: str = "", code_property: str = ""
) -> tuple[list[Parsed], list[Rejection], str, str]:
    """The valid features, the rejected ones, and the name and code properties used."""
    features: list[Any] = collection["features"]
    name_key = name_property or detect(features, NAME_KEYS)
    code_key = code_property or detect(features, CODE_KEYS)
    if not name_key:
        raise AreaImportRefused(
            "no-name",
            _("No feature has a name property (%(keys)s); choose the property that holds the names.")
            % {"keys": ", ".join(NAME_KEYS[:6])},
        )
    budget = [MAX_POINTS]
    parsed: list[Parsed] = []
    rejected: list[Rejection] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rejected.append(Rejection(index, "feature", _("This is not a GeoJSON Feature.")))
            continue
        props = _properties(feature)
        name = str(props.get(name_key) or "").strip()[:200]
        if not name:
            rejected.append(Rejection(index, "name", _("The name (%(key)s) is missing.") % {"key": name_key}))
            continue
        raw_code = props.get(code_key) if code_key else None
        code = (str(raw_code).strip() if raw_code is not None else "") or slugify(name)
        code = code[:64]
        if not code:
            rejected.append(Rejection(index, "code", _("The code is missing.")))
            continue
        if code in seen:
            rejected.append(
                Rejection(
                    index,
                    "code",
                    _("The code %(code)s repeats feature %(first)d.") % {"code": code, "first": seen[code]},
                )
            )
            continue
        try:
            geometry = _geometry(feature.get("geometry"), budget)
        except _Bad as bad:
            rejected.append(Rejection(index, "geometry", str(bad)))
            continue
        seen[code] = index
        parsed.append(Parsed(code, name, geometry, plane.bbox_of(plane.polygons_of(geometry))))
    if not parsed and rejected and all(r.reason == _reproject() for r in rejected):
        raise AreaImportRefused("not-wgs84", _reproject())
    return parsed, rejected, name_key, code_key


# -- saving ---------------------------------------------------------------------------------------------
class _DryRun(Exception):
    pass


def import_areas(
    data: bytes,
    *,
    organisation: Organisation,
    kind: str,
    actor: Actor,
    source_name: str = "",
    name_property: str = "",
    code_property: str = "",
    replace: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Check ``data`` and save its areas for ``organisation`` and ``kind`` (see the module's text).
    A refused file raises :class:`AreaImportRefused` after recording the refusal; nothing changes."""
    if kind not in AreaKind.values:
        raise AreaImportRefused("unknown-kind", _("Choose the kind of the areas."))
    source_name = source_name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    outcome = Outcome(dry_run=dry_run)
    try:
        parsed, rejected, name_key, code_key = parse(
            load(data), name_property=name_property.strip()[:60], code_property=code_property.strip()[:60]
        )
    except AreaImportRefused as refused:
        _remember(organisation, kind, source_name, actor, outcome, refusal=refused.message)
        if not dry_run:
            audit.record(
                "reports.areas_import_refused",
                actor=actor,
                organisation_id=organisation.pk,
                data={"file": source_name, "kind": kind, "reason": refused.reason},
            )
        raise
    outcome.features = len(parsed) + len(rejected)
    outcome.rejected, outcome.name_property, outcome.code_property = rejected, name_key, code_key
    try:
        with transaction.atomic():
            _save(parsed, organisation, kind, actor, source_name, replace, outcome)
            if dry_run:
                raise _DryRun
            audit.record(
                "reports.areas_imported",
                actor=actor,
                organisation_id=organisation.pk,
                data={"file": source_name, "kind": kind, "replace": replace, **outcome.counts()},
            )
    except _DryRun:
        pass
    _remember(organisation, kind, source_name, actor, outcome)
    return outcome


def _save(
    parsed: list[Parsed],
    organisation: Organisation,
    kind: str,
    actor: Actor,
    source_name: str,
    replace: bool,
    outcome: Outcome,
) -> None:
    now = clock.now()
    existing = {a.code: a for a in Area.objects.select_for_update().filter(organisation=organisation, kind=kind)}
    staff = user_of(actor)
    for item in parsed:
        south, west, north, east = item.bbox
        values = {
            "name": item.name,
            "geometry": item.geometry,
            "south": south,
            "west": west,
            "north": north,
            "east": east,
        }
        area = existing.get(item.code)
        if area is None:
            Area.objects.create(
                organisation=organisation,
                kind=kind,
                code=item.code,
                source_name=source_name,
                imported_at=now,
                imported_by=staff,
                **values,
            )
            outcome.created += 1
        elif all(getattr(area, k) == v for k, v in values.items()):
            outcome.unchanged += 1
        else:
            for key, value in values.items():
                setattr(area, key, value)
            area.source_name, area.imported_at, area.imported_by = source_name, now, staff
            area.save()
            outcome.updated += 1
    missing = sorted(set(existing) - {item.code for item in parsed})
    if replace and not outcome.rejected:
        outcome.removed = Area.objects.filter(organisation=organisation, kind=kind, code__in=missing).delete()[0]
    else:
        outcome.kept = len(missing)


def _remember(
    organisation: Organisation, kind: str, source_name: str, actor: Actor, outcome: Outcome, refusal: str = ""
) -> None:
    outcome.record = AreaImport.objects.create(
        organisation=organisation,
        kind=kind,
        source_name=source_name,
        imported_at=clock.now(),
        imported_by=user_of(actor),
        dry_run=outcome.dry_run,
        refusal=refusal,
        counts=outcome.counts(),
        rejections=[asdict(r) for r in outcome.rejected[:MAX_REJECTIONS]],
    )


# -- points in areas -------------------------------------------------------------------------------------
Shape = tuple[int, plane.BBox, list[list[list[list[float]]]]]


def owners(scope: Iterable[int]) -> tuple[int, ...]:
    """The organisations whose areas a reader with ``scope`` uses: those in scope and the ones above
    them — a city's districts serve its units' heads too. Boundaries are public geography, not
    anybody's data, and the counts drawn in them stay those of the reader's scope."""
    ids = set(scope)
    prefixes: set[str] = set()
    for path in Organisation.objects.using(read_alias()).filter(pk__in=sorted(ids)).values_list("path", flat=True):
        parts = [part for part in path.split("/") if part]
        prefixes.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    if prefixes:
        ids.update(
            Organisation.objects.using(read_alias()).filter(path__in=sorted(prefixes)).values_list("pk", flat=True)
        )
    return tuple(sorted(ids))


def kinds_in(scope: Iterable[int]) -> list[str]:
    """The kinds of area the organisations in scope (or above it) have imported, in the order of
    :class:`AreaKind`."""
    found = set(
        Area.objects.using(read_alias()).filter(organisation_id__in=owners(scope)).values_list("kind", flat=True)
    )
    return [kind for kind in AreaKind.values if kind in found]


def stamp(scope: Iterable[int], kind: str) -> str:
    """Changes whenever the scope's areas of ``kind`` change (for caches)."""
    row = (
        Area.objects.using(read_alias())
        .filter(organisation_id__in=owners(scope), kind=kind)
        .aggregate(n=Count("id"), at=Max("imported_at"), top=Max("id"))
    )
    return f"{row['n']}:{row['top']}:{row['at'].timestamp() if row['at'] else 0}"


def shapes(scope: Iterable[int], kind: str) -> list[Shape]:
    """The areas of ``kind`` of the scope and the organisations above it (:func:`owners`) as (id,
    bbox, polygons), smallest first."""
    ids = owners(scope)
    return _shapes(ids, kind, stamp(ids, kind))


@functools.lru_cache(maxsize=16)
def _shapes(ids: tuple[int, ...], kind: str, version: str) -> list[Shape]:
    del version
    rows = (
        Area.objects.using(read_alias())
        .filter(organisation_id__in=ids, kind=kind)
        .values_list("pk", "south", "west", "north", "east", "geometry")
    )
    found = []
    for pk, south, west, north, east, geometry in rows:
        polygons = plane.polygons_of(geometry)
        found.append((plane.area_of(polygons), pk, (south, west, north, east), polygons))
    found.sort(key=lambda item: (item[0], item[1]))
    return [(pk, box, polygons) for _size, pk, box, polygons in found]


def area_at(found: Sequence[Shape], latitude: float, longitude: float) -> int | None:
    """The id of the smallest area containing the point (None outside all)."""
    for pk, (south, west, north, east), polygons in found:
        if (
            south <= latitude <= north
            and west <= longitude <= east
            and plane.inside_polygons(polygons, longitude, latitude)
        ):
            return pk
    return None

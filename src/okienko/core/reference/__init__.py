"""Reference data the product needs at run time, shipped inside the package (see SOURCE.md):
the TERYT register of territorial units and simplified boundaries of powiaty and voivodeships,
the maps' offline base layer. A clone with no shared data sets has everything here."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

from okienko.core import geometry as plane

FOLDER = Path(__file__).resolve().parent
TERC = FOLDER / "teryt-terc-2020-01-01.csv.gz"
BOUNDARIES = {
    "powiaty": FOLDER / "powiaty-teryt.geojson.gz",
    "wojewodztwa": FOLDER / "wojewodztwa-teryt.geojson.gz",
}


def teryt_of(feature: dict[str, Any]) -> str:
    """The TERYT code of a boundary feature ('' when it has none)."""
    props = feature.get("properties") or {}
    for key in ("teryt", "JPT_KOD_JE", "TERYT", "code"):
        if key in props:
            return str(props[key])
    return ""


@functools.lru_cache(maxsize=2)
def _collection(name: str) -> dict[str, Any]:
    with gzip.open(BOUNDARIES[name], "rt", encoding="utf-8") as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


@functools.lru_cache(maxsize=32)
def boundaries(name: str, prefix: str = "") -> bytes:
    """A GeoJSON feature collection of ``name`` (``powiaty`` or ``wojewodztwa``) as compact JSON,
    keeping the units whose TERYT code starts with ``prefix`` (digits; '' keeps all).
    ``KeyError`` for an unknown name."""
    if name not in BOUNDARIES:
        raise KeyError(name)
    data = _collection(name)
    features = [f for f in data["features"] if teryt_of(f).startswith(prefix)] if prefix else data["features"]
    return json.dumps({**data, "features": features}, ensure_ascii=False, separators=(",", ":")).encode()


LOCALITIES = FOLDER / "simc-miejscowosci-2020-01-01.csv.gz"
CITY_POWIAT = "na prawach powiatu"

Ring = list[tuple[float, float]]


@functools.lru_cache(maxsize=1)
def territorial_units() -> dict[str, tuple[str, str]]:
    """TERC: ``{code: (name, kind)}`` for voivodeships (2 digits), powiaty (4) and gminy (7)."""
    units: dict[str, tuple[str, str]] = {}
    with gzip.open(TERC, "rt", encoding="utf-8-sig") as stream:
        next(stream)
        for line in stream:
            if line.count(";") < 5:
                continue
            woj, pow_, gmi, rodz, name, kind, *_ = line.rstrip("\r\n").split(";")
            units[woj + pow_ + gmi + rodz] = (name, kind)
    return units


@functools.lru_cache(maxsize=1)
def localities() -> list[tuple[str, str, str]]:
    """SIMC towns (``96``) and villages (``01``): ``(name, gmina code, kind)``; no coordinates ship."""
    with gzip.open(LOCALITIES, "rt", encoding="utf-8") as stream:
        next(stream)
        return [tuple(line.rstrip("\n").split(";")) for line in stream]  # type: ignore[misc]  # 3 columns


@functools.lru_cache(maxsize=1)
def _powiat_shapes() -> list[tuple[str, str, tuple[float, float, float, float], list[list[Ring]]]]:
    """Every powiat as (code, kind, (south, west, north, east), polygons as lists of (lon, lat) rings)."""
    shapes = []
    for feature in _collection("powiaty")["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]
        xs = [x for polygon in rings for x, _ in polygon[0]]
        ys = [y for polygon in rings for _, y in polygon[0]]
        kind = str((feature.get("properties") or {}).get("rodzaj", ""))
        shapes.append((teryt_of(feature), kind, (min(ys), min(xs), max(ys), max(xs)), rings))
    return shapes


_inside = plane.inside_ring  # the ray casting, shared with imported areas (core.geometry)


def powiat_at(latitude: float, longitude: float) -> str:
    """The TERYT code of the powiat containing the point ('' outside Poland's shipped boundaries)."""
    for code, _kind, (south, west, north, east), polygons in _powiat_shapes():
        if not (south <= latitude <= north and west <= longitude <= east):
            continue
        for polygon in polygons:
            if _inside(polygon[0], longitude, latitude) and not any(
                _inside(hole, longitude, latitude) for hole in polygon[1:]
            ):
                return code
    return ""


def territory_at(latitude: float, longitude: float) -> str:
    """The finest TERYT unit the shipped boundaries can tell for a point: the gmina of a city with
    powiat rights (its powiat is one gmina, e.g. Łódź 1061011), else the powiat (4 digits); ''
    outside Poland. Gmina polygons do not ship (no source under a few MB, see SOURCE.md)."""
    powiat = powiat_at(latitude, longitude)
    if not powiat:
        return ""
    kinds = {code: kind for code, kind, _box, _rings in _powiat_shapes()}
    if CITY_POWIAT in kinds.get(powiat, ""):
        units = territorial_units()
        for code in (f"{powiat}011", f"{powiat}021"):
            if code in units:
                return code
    return powiat


def bbox_of(prefixes: list[str]) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the powiaty under any of the TERYT ``prefixes``
    (2, 4 or 7 digits; a gmina counts as its powiat); None when none is known."""
    heads = {p[:4] for p in prefixes if p}
    boxes = [box for code, _kind, box, _rings in _powiat_shapes() if any(code.startswith(h) for h in heads)]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

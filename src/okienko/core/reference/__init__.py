"""Reference data the product needs at run time, shipped inside the package (see SOURCE.md):
the TERYT register of territorial units and simplified boundaries of powiaty and voivodeships,
the maps' offline base layer. A clone with no shared data sets has everything here."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

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

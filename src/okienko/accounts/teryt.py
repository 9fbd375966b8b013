"""Load the TERYT TERC register (GUS export: ';'-separated, UTF-8 with BOM)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

from okienko.accounts.models import TerritorialUnit


def _kind(row: dict[str, str]) -> str:
    if not row["POW"]:
        return TerritorialUnit.Kind.VOIVODESHIP
    if not row["GMI"]:
        return (
            TerritorialUnit.Kind.CITY_POWIAT if "prawach powiatu" in row["NAZWA_DOD"] else TerritorialUnit.Kind.POWIAT
        )
    return TerritorialUnit.Kind.GMINA


def load_terc(path: Path, *, voivodeships: set[str] | None = None) -> int:
    """Create or update the units in ``path``; return how many rows were read."""
    existing = set(TerritorialUnit.objects.values_list("code", flat=True))
    new: list[TerritorialUnit] = []
    count = 0
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if voivodeships and row["WOJ"] not in voivodeships:
                continue
            code = row["WOJ"] + row["POW"] + row["GMI"] + row["RODZ"]
            parent = (row["WOJ"] + row["POW"]) if row["GMI"] else (row["WOJ"] if row["POW"] else None)
            name = row["NAZWA"].title() if not row["POW"] else row["NAZWA"]
            count += 1
            if code in existing:
                continue
            unit = TerritorialUnit(
                code=code, name=name, kind=_kind(row), description=row["NAZWA_DOD"], parent_id=parent
            )
            new.append(unit)
            existing.add(code)
    TerritorialUnit.objects.bulk_create(new, batch_size=1000)
    return count

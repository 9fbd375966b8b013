"""EURES link-out (issue 19, item 8): a search of EURES job offers for the occupation of a KZiS
code, through the KZiS → ESCO crosswalk shipped in ``data/kzis-esco.csv`` (built by
``tools/build_eures_crosswalk.py``; no network at run time). The link names the ESCO concept of
the occupation's ISCO-08 unit group (``http://data.europa.eu/esco/isco/C8332``): the crosswalk
carries the ESCO occupation code, not the occupation's own URI.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

DATA = Path(__file__).resolve().parent / "data" / "kzis-esco.csv"
SEARCH = "https://europa.eu/eures/portal/jv-se/search"
ISCO_URI = "http://data.europa.eu/esco/isco/C{group}"


@dataclass(frozen=True)
class EscoOccupation:
    code: str  # e.g. 8332.5
    name: str

    @property
    def isco_group(self) -> str:
        return self.code.split(".")[0]

    @property
    def uri(self) -> str:
        return ISCO_URI.format(group=self.isco_group)


@cache
def crosswalk() -> dict[str, EscoOccupation]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return {row["kzis"]: EscoOccupation(row["esco_code"], row["esco_name"]) for row in csv.DictReader(handle)}


def esco_for(kzis: str) -> EscoOccupation | None:
    """The ESCO occupation of a 6-digit KZiS code; for a shorter prefix (4+ digits) its ISCO
    unit group."""
    kzis = (kzis or "").strip()
    if not kzis.isdigit():
        return None
    if len(kzis) == 6 and kzis in crosswalk():
        return crosswalk()[kzis]
    if len(kzis) >= 4:
        return EscoOccupation(kzis[:4], "")
    return None


def search_url(kzis: str, *, language: str = "pl") -> str:
    """The EURES job search for the occupation, or "" when the code has no ESCO counterpart."""
    found = esco_for(kzis)
    if found is None:
        return ""
    query = {
        "page": "1",
        "resultsPerPage": "10",
        "orderBy": "BEST_MATCH",
        "occupationUris": found.uri,
        "lang": language if language in ("pl", "en") else "pl",
    }
    return f"{SEARCH}?{urlencode(query)}"

"""Build ``src/okienko/jobs/alerts/data/kzis-esco.csv`` (KZiS 6-digit code → ESCO occupation)
from the shared crosswalk (``../shared/data/pl-kzis-occupations/``, see its SOURCE.md: OJALAB
job-ads-datasets, doi:10.18150/SX0E7G; ESCO reuse allowed with attribution).

- ``kzis_esco_crosswalk.csv`` gives each KZiS code its ESCO occupation code (``7223.4``, the
  ISCO-08 unit group and the occupation's number in it) and Polish name;
- ``esco-kzis-selected.csv`` gives the ESCO name (``occupation_name``) where the first lacks one.

The ESCO concept URI derived here is the ISCO-08 unit group's (``http://data.europa.eu/esco/isco/C7223``,
a stable ESCO URI); the exact occupation's URI is a UUID that the crosswalk does not carry. No
network is used, at build time or at run time. Usage: ``python tools/build_eures_crosswalk.py [DATA_DIR]``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pl-kzis-occupations"
OUT = ROOT / "src" / "okienko" / "jobs" / "alerts" / "data" / "kzis-esco.csv"


def build(data: Path) -> dict[str, tuple[str, str]]:
    names: dict[str, str] = {}
    with (data / "esco-kzis-selected.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["var"] == "occupation_name" and row["code"] not in names:
                names[row["code"]] = row["desc"].strip()
    table: dict[str, tuple[str, str]] = {}
    with (data / "kzis_esco_crosswalk.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            kzis, esco = row["kzis code"].strip().zfill(6), row["esco code"].strip()
            if len(kzis) != 6 or not kzis.isdigit() or kzis in table:
                continue
            group = esco.split(".")[0]
            if len(group) != 4 or not group.isdigit():
                continue
            table[kzis] = (esco, (row["esco name"] or names.get(kzis, "")).strip())
    for kzis, name in names.items():  # ESCO occupations with a KZiS link but no crosswalk row
        if kzis not in table and len(kzis) == 6 and kzis[:4].isdigit():
            table[kzis] = (kzis[:4], name)
    return table


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    table = build(data)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kzis", "esco_code", "esco_name"])
        for kzis in sorted(table):
            writer.writerow([kzis, *table[kzis]])
    print(f"{len(table)} KZiS codes → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Build ``src/okienko/jobs/reference/occupation-synonyms.csv`` from the GUS thesaurus of job
titles (``pl-kzis-occupations/gus-thesaurus.csv`` of the shared data sets).

Each 6-digit KZiS code gets the distinct words of its job titles (lower case, Polish letters
kept, at most ``MAX_WORDS`` per code, stop words and one-letter words left out); offer search adds
them to an offer's occupation field, so "TIR" finds a truck driver's offer coded 833203.

    .venv/bin/python tools/build_job_synonyms.py [path/to/gus-thesaurus.csv]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "pl-kzis-occupations" / "gus-thesaurus.csv"
TARGET = ROOT / "src" / "okienko" / "jobs" / "reference" / "occupation-synonyms.csv"
MAX_WORDS = 60
STOP = {"i", "w", "z", "do", "na", "ds", "oraz", "lub", "dla", "od", "po", "przy", "ze", "we", "a", "o", "u"}


def build(source: Path, target: Path) -> int:
    rows: list[tuple[str, str]] = []
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip().zfill(6)
            if not re.fullmatch(r"\d{6}", code):
                continue
            seen: list[str] = []
            for word in re.findall(r"[^\W\d_]+", row["desc"].lower()):
                if len(word) > 1 and word not in STOP and word not in seen:
                    seen.append(word)
            if seen:
                rows.append((code, " ".join(seen[:MAX_WORDS])))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "words"])
        writer.writerows(sorted(rows))
    return len(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    print(f"{build(source, TARGET)} occupations written to {TARGET}")

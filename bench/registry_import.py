"""Import of a Syriusz export into the registry (Kontraktor, issue 17) on PostgreSQL.

    .venv/bin/python bench/registry_import.py --rows 100000

Generates ``--rows`` fictional registered people as a semicolon CSV (valid PESELs, KZiS 2023
codes, work history, activation; ``--bad`` percent of the rows carry one mistake each — a wrong
PESEL check digit, an unknown occupation, a formula cell, an impossible date or a duplicate Syriusz
id), then times ``importer.import_file`` for a new office (every row created) and again for the
same file (every row compared: unchanged), with full validation and the rejected-rows report
written. Target: ≤ 60 s for 100,000 rows. Prints one line for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_registry"
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad", type=float, default=1.0, help="percent of rows with a mistake")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-registry"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from okienko.accounts.models import Organisation
    from okienko.contracting.registry import importer, synthetic
    from okienko.contracting.registry.models import RegisteredPerson

    started = time.perf_counter()
    rng = random.Random(args.seed)
    rows = [synthetic.csv_row(p) for p in synthetic.people(args.rows, seed=args.seed, prefix="BN")]
    mistakes = 0
    for row in rows:
        if rng.random() * 100 >= args.bad:
            continue
        mistakes += 1
        kind = rng.randrange(5)
        if kind == 0 and row[1]:
            row[1] = row[1][:10] + str((int(row[1][10]) + 1) % 10)
        elif kind == 1:
            row[16] = "999999"
        elif kind == 2:
            row[3] = "=1+1"
        elif kind == 3:
            row[13] = "31.02.2024"
        else:
            row[0] = rows[0][0]
    data = synthetic.to_csv(rows).encode("utf-8")
    print(
        f"generated {args.rows} rows ({len(data) / 1e6:.1f} MB, {mistakes} with a mistake) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    code = f"bench-registry-{int(time.time())}"
    office = Organisation.objects.create(code=code, name=f"PUP {code}", kind=Organisation.Kind.COUNTY_OFFICE)
    results = []
    for label in ("first import (all new)", "re-import (all compared)"):
        t0 = time.perf_counter()
        batch = importer.import_file(
            office=office, data=data, name="bench.csv", mapper_name="csv", actor=None, max_bytes=len(data) + 1
        )
        elapsed = time.perf_counter() - t0
        report = batch.rejections.count()
        results.append((label, elapsed, batch))
        print(
            f"{label}: {elapsed:.1f} s — rows {batch.rows}, created {batch.created}, updated {batch.updated}, "
            f"unchanged {batch.unchanged}, rejected {batch.rejected} ({report} problems in the report)"
        )
    people = RegisteredPerson.objects.filter(office=office).count()
    print(f"people stored: {people}")
    print(
        f"| import {args.rows:,} rows, {args.bad:g}% bad, {platform.python_version()} | "
        f"`.venv/bin/python bench/registry_import.py --rows {args.rows}` | ≤ 60 s | "
        f"**{results[0][1]:.1f} s** first, {results[1][1]:.1f} s re-import |"
    )


if __name__ == "__main__":
    main()

"""Bulk-load cases into the PostgreSQL benchmark database with COPY.

    .venv/bin/python bench/cases_load.py --count 1000000
    .venv/bin/python bench/cases_load.py --count 5000000 --database-url postgres://postgres@127.0.0.1:5432/okienko_bench

Creates the database if it is missing and migrates it (never drops anything: other engineers
load clients into the same database). Adds a bench city ``bench-city`` with 20 units and 10
services, then COPYs ``--count`` cases spread over the units, statuses (≈30 % open) and the last
two years, referencing existing clients when there are any (else no client). Numbers continue
the per-year counters, so the loader can be run again to add more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchlib import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench"
UNITS = 20
STATUSES = (
    ["assigned"] * 12
    + ["in_progress"] * 10
    + ["waiting_client"] * 4
    + ["waiting_third_party"] * 2
    + ["registered"] * 2
    + ["resolved"] * 20
    + ["closed"] * 46
    + ["cancelled"] * 2
    + ["duplicate"] * 2
)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-cases"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fixtures() -> tuple[Any, list[Any], list[Any]]:
    from okienko.accounts.models import Organisation
    from okienko.catalogue.models import Service, ServiceCategory

    city, _ = Organisation.objects.update_or_create(
        code="bench-city", defaults={"name": "Bench City", "kind": Organisation.Kind.CITY, "open311_public": True}
    )
    units = []
    for i in range(UNITS):
        unit, _ = Organisation.objects.get_or_create(
            code=f"bench-unit-{i:02d}", defaults={"name": f"Unit {i}", "kind": Organisation.Kind.UNIT, "parent": city}
        )
        units.append(unit)
    category, _ = ServiceCategory.objects.get_or_create(organisation=city, code="bench", defaults={"name": "Bench"})
    services = []
    for i in range(10):
        service, _ = Service.objects.get_or_create(
            organisation=city,
            code=f"bench-{i}",
            defaults={
                "category": category,
                "public_name": f"Bench service {i}",
                "responsible_unit": units[i],
                "sla_basis": "working_days",
                "response_due": 2,
                "resolve_due": 10,
            },
        )
        if service.publication != Service.Publication.REDACTED:  # Open311 lists published services only
            Service.objects.filter(pk=service.pk).update(publication=Service.Publication.REDACTED)
        services.append(service)
    return city, units, services


COLUMNS = [
    "uuid",
    "number",
    "organisation_id",
    "service_id",
    "description",
    "status",
    "priority",
    "channel",
    "client_id",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "latitude",
    "longitude",
    "address",
    "assigned_unit_id",
    "sla_basis",
    "response_due",
    "resolve_due",
    "resolve_due_3x",
    "escalation_level",
    "created_at",
    "updated_at",
    "version",
    "answers",
    "external_token",
    "media_url",
]


def load(count: int, batch: int) -> None:
    from django.db import connection

    from okienko.cases.models import CaseNumberCounter

    city, units, services = fixtures()
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM clients_client ORDER BY id LIMIT 200000")
        client_ids = [r[0] for r in cur.fetchall()]
    print(f"clients available: {len(client_ids)}")
    rng = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    counters: dict[int, int] = {}
    with connection.cursor() as cur:  # continue after the highest number (a killed run saved no counter)
        for year in range(now.year - 3, now.year + 1):
            cur.execute(
                "SELECT max(split_part(number, '/', 3)::int) FROM cases_case"
                " WHERE organisation_id = %s AND number LIKE %s",
                [city.pk, f"BENCH-CITY/{year}/%"],
            )
            top = cur.fetchone()[0]
            saved = CaseNumberCounter.objects.filter(organisation=city, year=year).first()
            counters[year] = max(top or 0, saved.last_value if saved else 0)
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    started = time.perf_counter()
    done = 0
    while done < count:
        n = min(batch, count - done)
        buf = io.StringIO()
        for _ in range(n):
            created = now - dt.timedelta(seconds=rng.randint(0, 730 * 86400))
            year = created.year
            counters[year] = counters.get(year, 0) + 1
            unit = units[rng.randrange(UNITS)]
            service = services[rng.randrange(10)]
            status = rng.choice(STATUSES)
            resolve_due = created + dt.timedelta(days=14)
            row = [
                str(uuid.uuid4()),
                f"BENCH-CITY/{year}/{counters[year]:07d}",
                str(city.pk),
                str(service.pk),
                "Zgłoszenie testowe",
                status,
                "normal",
                "phone",
                str(rng.choice(client_ids)) if client_ids and rng.random() < 0.6 else "\\N",
                "",
                "",
                "",
                f"{51.70 + rng.random() * 0.15:.6f}",
                f"{19.35 + rng.random() * 0.25:.6f}",
                "",
                str(unit.pk),
                "working_days",
                (created + dt.timedelta(days=2)).isoformat(),
                resolve_due.isoformat(),
                (created + dt.timedelta(days=42)).isoformat(),
                "0",
                created.isoformat(),
                created.isoformat(),
                "1",
                "{}",
                str(uuid.uuid4()),
                "",
            ]
            buf.write("\t".join(row) + "\n")
        with raw.cursor() as cur, cur.copy(f"COPY cases_case ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        raw.commit()
        done += n
        rate = done / (time.perf_counter() - started)
        print(f"{done:>9} cases loaded ({rate:,.0f}/s)", flush=True)
    for year, value in counters.items():
        CaseNumberCounter.objects.update_or_create(organisation=city, year=year, defaults={"last_value": value})
    connection.set_autocommit(True)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) cases_case")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    load(args.count, args.batch)


if __name__ == "__main__":
    main()

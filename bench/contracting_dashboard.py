"""The labour office's contract dashboard (Kontraktor, issue 17) on PostgreSQL.

    .venv/bin/python bench/contracting_dashboard.py --contracts 200 --participants 50000

Builds one county office with ``--contracts`` running contracts with two agencies and
``--participants`` participants spread over them (written in bulk, with their registry persons,
statuses across the whole path, plan events and placements), then signs in as the office's
contract manager and times the dashboard (``/desk/contracts/``: every contract with its progress
against the indicators) and a contract's page (progress, checks due, participants), each request
through Django's whole stack in this process (no network). Target: dashboard p95 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_dashboard"
sys.path.insert(0, str(ROOT / "bench"))

STATUSES = [
    ("nominated", 0.05),
    ("shared", 0.05),
    ("referred", 0.1),
    ("admitted", 0.1),
    ("plan_agreed", 0.1),
    ("in_activation", 0.25),
    ("placed", 0.1),
    ("retained_14", 0.1),
    ("retained_90", 0.1),
    ("dropped_out", 0.05),
]


def _pick(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return STATUSES[-1][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--participants", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-dashboard"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from django.test import Client as WebClient

    from okienko.accounts.models import Membership, Organisation, User
    from okienko.accounts.roles import Role
    from okienko.contracting.models import ActivationEvent, Contract, Participant, TrancheScheme
    from okienko.contracting.registry.models import RegisteredPerson
    from okienko.core import clock

    rng = random.Random(args.seed)
    stamp = int(time.time())
    now = clock.now()
    today = clock.local_now().date()
    built = time.perf_counter()
    office = Organisation.objects.create(
        code=f"dash-pup-{stamp}", name="PUP dashboard", kind=Organisation.Kind.COUNTY_OFFICE
    )
    agencies = [
        Organisation.objects.create(code=f"dash-ag{i}-{stamp}", name=f"Agency {i}", kind=Organisation.Kind.AGENCY)
        for i in range(2)
    ]
    scheme = TrancheScheme.objects.order_by("pk").first() or TrancheScheme.objects.create(
        code=f"dash-{stamp}", name="scheme"
    )
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                number=f"DASH/{stamp}/{n:03d}",
                office=office,
                agency=agencies[n % 2],
                legal_basis="bench",
                start_date=today - dt.timedelta(days=200),
                end_date=today + dt.timedelta(days=200),
                planned_participants=args.participants // args.contracts,
                indicators={"referred": 200, "admitted": 180, "placed": 90, "retained": 60},
                price_per_participant=Decimal("6000.00"),
                tranche_scheme=scheme,
                agency_role=Contract.AgencyRole.PROCESSOR,
                end_policy=Contract.EndPolicy.ARCHIVE,
                status="active",
                created_at=now,
                updated_at=now,
            )
            for n in range(args.contracts)
        ]
    )
    people = RegisteredPerson.objects.bulk_create(
        [
            RegisteredPerson(
                office=office,
                registry_id=f"D{i:07d}",
                first_name="Anna",
                last_name=f"Dash{i}",
                birth_date=dt.date(1988, 3, 3),
                registered_on=dt.date(2025, 2, 1),
                status="unemployed",
            )
            for i in range(args.participants)
        ],
        batch_size=5000,
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                contract=contracts[i % len(contracts)],
                person=person,
                status=_pick(rng),
                referral_date=today - dt.timedelta(days=120),
                nominated_at=now,
                updated_at=now,
            )
            for i, person in enumerate(people)
        ],
        batch_size=5000,
    )
    ActivationEvent.objects.bulk_create(
        [
            ActivationEvent(
                participant=p,
                type=ActivationEvent.Type.INDIVIDUAL_PLAN,
                occurred_at=now - dt.timedelta(days=90),
                institution=p.contract.agency,
                created_at=now,
            )
            for p in participants
            if p.status not in {"nominated", "shared", "referred", "admitted"}
        ],
        batch_size=5000,
    )
    manager = User.objects.create(username=f"dash-{stamp}", first_name="Bench", last_name="Manager")
    Membership.objects.create(user=manager, organisation=office, role=Role.CONTRACT_MANAGER)
    print(f"built {len(contracts)} contracts, {len(participants)} participants in {time.perf_counter() - built:.1f} s")

    import logging

    logging.getLogger("okienko.access").setLevel(logging.WARNING)  # one line per request otherwise
    client = WebClient(HTTP_HOST="localhost")
    client.force_login(manager)

    def timed(url: str) -> float:
        t0 = time.perf_counter()
        answer = client.get(url)
        elapsed = (time.perf_counter() - t0) * 1000
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
        return elapsed

    for _ in range(5):  # warm-up: caches, templates, connections
        timed("/desk/contracts/")
    dashboard = sorted(timed("/desk/contracts/") for _ in range(args.requests))
    pages = sorted(timed(f"/desk/contracts/{rng.choice(contracts).uuid}/") for _ in range(max(10, args.requests // 2)))

    def figures(values: list[float]) -> str:
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        return f"p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {values[-1]:.1f} ms"

    print(f"dashboard ({args.contracts} contracts, {args.participants} participants): {figures(dashboard)}")
    print(f"contract page ({args.participants // args.contracts} participants each): {figures(pages)}")


if __name__ == "__main__":
    main()

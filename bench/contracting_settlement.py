"""Settlement calculation for one contract (Kontraktor, issue 17) on PostgreSQL.

    .venv/bin/python bench/contracting_settlement.py --participants 10000

Builds a contract with ``--participants`` referred participants (written in bulk, not through the
actions): 80% with an individual action plan, half of them placed 100 days ago with employment
checks at 14 and 90 days confirmed for most, the rest at various stages, some dropped out. Then
times ``settlement.refresh_tranche_lines`` — creating every participant × tranche line, computing
eligibility from events, placements and checks, forfeiting the leavers, with the history rows and
the audit entries — and a second, idempotent run. Target: ≤ 10 s for 10,000 participants.
Prints one line for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_contracting"
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-contracting"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from okienko.accounts.models import Organisation
    from okienko.contracting import settlement
    from okienko.contracting.models import (
        ActivationEvent,
        Contract,
        Participant,
        Placement,
        RetentionCheck,
        TrancheDefinition,
        TrancheLine,
        TrancheScheme,
        TriggerEvent,
    )
    from okienko.contracting.registry.models import RegisteredPerson
    from okienko.core import clock

    rng = random.Random(args.seed)
    started = time.perf_counter()
    stamp = int(time.time())
    now = clock.now()
    today = clock.local_now().date()
    office = Organisation.objects.create(
        code=f"bench-pup-{stamp}", name="PUP bench", kind=Organisation.Kind.COUNTY_OFFICE
    )
    agency = Organisation.objects.create(
        code=f"bench-agency-{stamp}", name="Agency bench", kind=Organisation.Kind.AGENCY
    )
    scheme = TrancheScheme.objects.create(code=f"bench-{stamp}", name="20/30/50")
    for order, (percent, trigger, days) in enumerate(
        [
            ("20", TriggerEvent.INDIVIDUAL_PLAN, 0),
            ("30", TriggerEvent.PLACEMENT, 14),
            ("50", TriggerEvent.PLACEMENT, 90),
        ],
        start=1,
    ):
        TrancheDefinition.objects.create(
            scheme=scheme, order=order, name=f"t{order}", trigger=trigger, minimum_days=days, percent=Decimal(percent)
        )
    contract = Contract.objects.create(
        number=f"BENCH/{stamp}",
        office=office,
        agency=agency,
        legal_basis="bench",
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=300),
        planned_participants=args.participants,
        price_per_participant=Decimal("6000.00"),
        tranche_scheme=scheme,
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.ARCHIVE,
        status="active",
        created_at=now,
        updated_at=now,
    )
    people = RegisteredPerson.objects.bulk_create(
        [
            RegisteredPerson(
                office=office,
                registry_id=f"B{i:07d}",
                first_name="Jan",
                last_name=f"Bench{i}",
                birth_date=dt.date(1990, 1, 1),
                registered_on=dt.date(2025, 1, 1),
                status="unemployed",
            )
            for i in range(args.participants)
        ],
        batch_size=2000,
    )
    statuses = []
    for _ in people:
        roll = rng.random()
        statuses.append(
            "dropped_out"
            if roll < 0.1
            else "in_activation"
            if roll < 0.5
            else "retained_90"
            if roll < 0.9
            else "placed"
        )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                contract=contract,
                person=p,
                status=s,
                referral_date=today - dt.timedelta(days=150),
                nominated_at=now,
                updated_at=now,
            )
            for p, s in zip(people, statuses, strict=True)
        ],
        batch_size=2000,
    )
    events, placements = [], []
    for p in participants:
        if p.status != "dropped_out" and rng.random() < 0.9:
            events.append(
                ActivationEvent(
                    participant=p,
                    type=ActivationEvent.Type.INDIVIDUAL_PLAN,
                    occurred_at=now - dt.timedelta(days=120),
                    institution=agency,
                    created_at=now,
                )
            )
        if p.status in {"retained_90", "placed"}:
            placements.append(
                Placement(
                    participant=p,
                    employer_nip="5260250274",
                    position="magazynier",
                    occupation_code="432103",
                    contract_type="employment",
                    working_time=Decimal("1.000"),
                    start_date=today - dt.timedelta(days=100 if p.status == "retained_90" else 5),
                    verified_by="employer",
                    institution=agency,
                    created_at=now,
                )
            )
    ActivationEvent.objects.bulk_create(events, batch_size=2000)
    Placement.objects.bulk_create(placements, batch_size=2000)
    checks = []
    for pl in placements:
        for days in (14, 90):
            due = pl.start_date + dt.timedelta(days=days)
            done = due <= today and pl.participant.status == "retained_90"
            checks.append(
                RetentionCheck(
                    placement=pl, days=days, due_on=due, done_at=now if done else None, employed=True if done else None
                )
            )
    RetentionCheck.objects.bulk_create(checks, batch_size=2000)
    print(
        f"built {len(participants)} participants, {len(events)} plan events, {len(placements)} placements, "
        f"{len(checks)} checks in {time.perf_counter() - started:.1f} s"
    )

    results = []
    for label in ("first run (lines created and computed)", "second run (nothing to change)"):
        t0 = time.perf_counter()
        result = settlement.refresh_tranche_lines(contract=contract)
        elapsed = time.perf_counter() - t0
        results.append((label, elapsed, result))
        print(
            f"{label}: {elapsed:.2f} s — {result.created} lines created, {result.eligible} eligible, "
            f"{result.forfeited} forfeited"
        )
    lines = TrancheLine.objects.filter(participant__contract=contract).count()
    totals = settlement.contract_totals(contract)
    print(f"{lines} lines; eligible total {totals['eligible']} PLN")
    first = results[0]
    print(
        f"| settlement calculation, {args.participants:,} participants ({lines:,} lines) | "
        f"`.venv/bin/python bench/contracting_settlement.py --participants {args.participants}` | ≤ 10 s | "
        f"**{first[1]:.1f} s** ({first[2].created:,} created, {first[2].eligible:,} eligible, "
        f"{first[2].forfeited:,} forfeited); again: {results[1][1]:.1f} s | {platform.node()}"
    )


if __name__ == "__main__":
    main()

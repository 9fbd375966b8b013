"""Work-queue page query and ``open_case`` timing on the bulk-loaded benchmark database.

    .venv/bin/python bench/cases_queue.py --runs 200
    .venv/bin/python bench/cases_queue.py --database-url postgres://postgres@127.0.0.1:5432/okienko_bench

Run ``bench/cases_load.py`` first. Measures, for an expert of one unit: the team-queue page as
the view builds it (visibility filter, open statuses, sorted by resolve-due, first page of 25
with its count), and the ``open_case`` action (routing, SLA deadlines, number counter, audit,
outbox) for a consultant. Prints p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from cases_load import DEFAULT_URL, setup_django  # type: ignore[import-not-found]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    print(
        f"{name:<28} n={len(values):<5} p50={statistics.median(values):7.2f} ms  "
        f"p95={pct(values, 0.95):7.2f} ms  max={max(values):7.2f} ms"
    )


def users() -> tuple[Any, Any, Any]:
    from okienko.accounts.models import Membership, Organisation, User
    from okienko.accounts.roles import Role

    city = Organisation.objects.get(code="bench-city")
    unit = Organisation.objects.get(code="bench-unit-03")
    centre, _ = Organisation.objects.get_or_create(
        code="bench-centre", defaults={"name": "Bench centre", "kind": Organisation.Kind.CONTACT_CENTRE, "parent": city}
    )
    expert, _ = User.objects.get_or_create(username="bench-expert")
    Membership.objects.get_or_create(user=expert, organisation=unit, role=Role.EXPERT)
    consultant, _ = User.objects.get_or_create(username="bench-consultant")
    Membership.objects.get_or_create(user=consultant, organisation=centre, role=Role.CONSULTANT)
    return unit, expert, consultant


def queue_page(expert: Any, unit: Any) -> int:
    """The same queries as ``cases.views._queue`` for the team scope (units where the expert
    works on cases; every case assigned there is visible to them)."""
    from okienko.accounts.models import Organisation
    from okienko.cases.models import Case
    from okienko.cases.workflow import OPEN_STATUSES

    unit_ids = list(Organisation.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    cases = (
        Case.objects.filter(assigned_unit_id__in=unit_ids, status__in=OPEN_STATUSES)
        .order_by("resolve_due", "id")
        .select_related("service", "assigned_unit", "assigned_to")
    )
    from okienko.cases.views import CappedPaginator

    page = CappedPaginator(cases, 25).get_page(1)
    return len(list(page.object_list)) + page.paginator.count * 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    from okienko.accounts.models import Organisation
    from okienko.cases import actions
    from okienko.cases.models import Case
    from okienko.catalogue.models import Service

    print(f"cases in database: {Case.objects.count():,}")
    unit, expert, consultant = users()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case WHERE assigned_unit_id = %s", [unit.pk])
        print(f"cases of the measured unit: {cur.fetchone()[0]:,}")
    timings: list[float] = []
    for _ in range(args.runs):
        if hasattr(expert, "_okienko_memberships"):
            del expert._okienko_memberships  # each request loads memberships afresh
        for attr in [a for a in vars(expert) if a.startswith("_okienko_case_scope_")]:
            delattr(expert, attr)
        t = time.perf_counter()
        queue_page(expert, unit)
        timings.append((time.perf_counter() - t) * 1000)
    report("team queue page (25 + count)", timings)

    city = Organisation.objects.get(code="bench-city")
    service = Service.objects.get(organisation=city, code="bench-3")
    opens: list[float] = []
    for i in range(max(20, args.runs // 4)):
        t = time.perf_counter()
        actions.open_case(
            actor=consultant,
            organisation=city,
            service=service,
            description=f"bench {i}",
            channel="phone",
            location={"latitude": "51.76", "longitude": "19.46"},
        )
        opens.append((time.perf_counter() - t) * 1000)
    report("open_case action", opens)


if __name__ == "__main__":
    main()

"""The management dashboard and the report API's figures on PostgreSQL (issue 20, item 2).

    .venv/bin/python bench/reports_dashboard.py

Fills the two rollup tables of their own database (``okienko_bench_dashboard``, created and
migrated when missing; refilled only when the row counts differ) with generated rows — one city,
20 units, 10 services, 8 channels, 20 gminas, 100 members of staff, two years of days; the rows
stand for many more cases and contacts (each case row counts 1–59 cases, each contact row 1–9
contacts: about 10,000,000 cases and 30,000,000 contacts with the default sizes below) — and measures
``reports.dashboard.dashboard`` (every figure of the desk page: totals, last year, 3 case groupings
and 6 contact groupings) for the city's director and for one unit head, over a month, a quarter, a
year and two years of whole months, and over 30 days, a year and two years ending mid-month (whose
ends come from day rows), ``--requests`` times each → p50 and p95 (target p95 ≤ 1 s). The month
tables are built from the day rows when empty or refilled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_dashboard"
sys.path.insert(0, str(ROOT / "bench"))


def fill(case_rows: int, contact_rows: int, first: dt.date) -> tuple[int, list[int]]:
    from django.db import connection

    from okienko.accounts.models import Organisation
    from okienko.reports.models import CaseDay, ContactDay

    city, _new = Organisation.objects.get_or_create(
        code="bench-city", defaults={"name": "Bench city", "kind": Organisation.Kind.CITY}
    )
    units = []
    for i in range(20):
        unit, _new = Organisation.objects.get_or_create(
            code=f"bench-unit-{i}", defaults={"name": f"Unit {i}", "kind": Organisation.Kind.UNIT, "parent": city}
        )
        units.append(unit.pk)
    # The generator's case keys repeat (ON CONFLICT DO NOTHING keeps the first), so the case table
    # holds fewer rows than asked for; the contact rows are all distinct and tell whether the
    # tables were filled with these arguments.
    refilled = (
        not CaseDay.objects.exists()
        or ContactDay.objects.count() != contact_rows
        or not CaseDay.objects.filter(opened__gt=10).exists()  # filled before the rows stood for 10 M cases
    )
    if refilled:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE reports_caseday, reports_contactday")
            cursor.execute(
                """
                INSERT INTO reports_caseday (day, organisation_id, unit_id, service_id, category_id, channel,
                    gmina_id, opened, resolved, resolved_in_time, resolution_seconds)
                SELECT %(first)s::date + (n / %(per_day)s)::int, %(city)s, (%(units)s::bigint[])[1 + n %% 20],
                       1 + (n / 20) %% 10, 1 + (n / 200) %% 3,
                       (ARRAY['phone','email','web','sms','chat','eform','counter','letter'])[1 + (n / 2000) %% 8],
                       lpad(((n / 16000) %% 20)::text, 7, '0'), 1 + n %% 59, n %% 50, n %% 40, (n %% 50) * 86400 * 3
                FROM generate_series(0, %(rows)s - 1) AS n
                ON CONFLICT DO NOTHING
                """,
                {
                    "first": first,
                    "per_day": max(1, case_rows // 730),
                    "city": city.pk,
                    "units": units,
                    "rows": case_rows,
                },
            )
            cursor.execute(
                """
                INSERT INTO reports_contactday (day, organisation_id, channel, direction, outcome, service_id,
                    staff_id, hour, contacts, timed, duration_seconds)
                SELECT %(first)s::date + (n / %(per_day)s)::int, (%(units)s::bigint[])[1 + n %% 20],
                       (ARRAY['phone','email','web','sms','chat','eform','counter','letter'])[1 + (n / 20) %% 8],
                       (ARRAY['in','out'])[1 + (n / 160) %% 2],
                       (ARRAY['answered','case_opened','transferred','callback_requested','other'])[1 + (n / 320) %% 5],
                       (n / 1600) %% 10, 1 + (n / 16000) %% 100, 7 + n %% 12, 1 + n %% 9, 1 + n %% 9, 240 * (1 + n %% 9)
                FROM generate_series(0, %(rows)s - 1) AS n
                ON CONFLICT DO NOTHING
                """,
                {"first": first, "per_day": max(1, contact_rows // 730), "units": units, "rows": contact_rows},
            )
            cursor.execute("ANALYZE reports_caseday")
            cursor.execute("ANALYZE reports_contactday")
        print(f"filled in {time.perf_counter() - started:.1f} s")
    from okienko.reports import rollups
    from okienko.reports.models import CaseMonth, ContactMonth

    if not CaseMonth.objects.exists() or not ContactMonth.objects.exists() or refilled:
        started = time.perf_counter()
        rollups.rebuild_months()
        with connection.cursor() as cursor:
            for table in ("casemonth", "contactmonth", "contactmonthstaff", "contactmonthhour"):
                cursor.execute(f"ANALYZE reports_{table}")
        print(f"month rows built in {time.perf_counter() - started:.1f} s")
    from django.db.models import Sum

    cases = CaseDay.objects.aggregate(n=Sum("opened"))["n"] or 0
    contacts = ContactDay.objects.aggregate(n=Sum("contacts"))["n"] or 0
    print(f"rows: {CaseDay.objects.count()} case rows for {cases:,} cases, {ContactDay.objects.count()} contact rows")
    print(f"      for {contacts:,} contacts")
    print(f"month rows: {CaseMonth.objects.count()} case rows, {ContactMonth.objects.count()} contact rows")
    return city.pk, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--case-rows", type=int, default=2_000_000)
    parser.add_argument("--contact-rows", type=int, default=6_000_000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--fill-only", action="store_true", help="fill the tables and stop (measure later)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-reports-dashboard"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])
    from okienko.accounts.models import Organisation
    from okienko.reports import dashboard

    last = dt.date(2026, 11, 30)
    first = last - dt.timedelta(days=729)
    city, units = fill(args.case_rows, args.contact_rows, first)
    if args.fill_only:
        return
    everyone = [city, *units]
    readers = {
        "director": dashboard.scope_of(everyone, everyone),
        "unit head": dashboard.scope_of([units[0]], [units[0]]),
    }
    assert Organisation.objects.filter(pk__in=everyone).count() == 21
    # Whole months (ending on the 30th of November) and the same lengths ending mid-month, whose
    # ends are read from day rows.
    mid = dt.date(2026, 11, 15)
    spans = {
        "month": (30, last),
        "quarter": (91, last),
        "year": (365, last),
        "two years": (730, last),
        "30 d mid": (30, mid),
        "year mid": (365, mid),
        "2 y mid": (715, mid),
    }
    for who, scope in readers.items():
        for name, (days, end) in spans.items():
            period = dashboard.Period(end - dt.timedelta(days=days - 1), end)
            times = []
            for _i in range(args.requests):
                started = time.perf_counter()
                dashboard.dashboard(scope, period)
                times.append(time.perf_counter() - started)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{who:9} {name:9} p50 {statistics.median(times) * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms")


if __name__ == "__main__":
    main()

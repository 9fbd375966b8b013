"""The qualitative report (issue 20, item 3) on PostgreSQL: how long `/desk/reports/quality/` takes.

    .venv/bin/python bench/reports_quality.py --cases 1000000

Uses the cases of ``bench/reports_public.py`` (``okienko_bench_reports``, loaded when missing) and
adds each case's history when the database has none: an "in progress" status change for every
case handled, a public reply for most resolved ones, a reopening for 2 % (≈2.6 events a case, with
COPY). Then, as an analyst of the whole city, measures the report page through Django's whole
stack (no network) for 30 days, 90 days and a year — computed (the cache emptied before each
request, which then counts the period and the same period a year before) and cached — and prints
the time of the report's parts for one 30-day period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import reports_public  # noqa: E402


def add_history() -> None:
    """COPY case events for the bench cases unless they have some (idempotent by that check)."""
    from django.db import connection

    from okienko.cases.models import CaseEvent

    if CaseEvent.objects.filter(kind="status", data__to_status="in_progress").exists():
        return
    rng = random.Random(11)
    started = time.perf_counter()
    made = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, created_at, resolved_at FROM cases_case ORDER BY id")
        rows = cursor.fetchall()
    buffer = io.StringIO()

    def line(case: int, at: dt.datetime, kind: str, data: dict[str, str], public: bool) -> None:
        buffer.write(f"{case}\t{at.isoformat()}\t{kind}\t\t\t{json.dumps(data)}\t{'t' if public else 'f'}\n")

    def flush() -> None:
        buffer.seek(0)
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY cases_caseevent (case_id, at, kind, actor_repr, summary, data, is_public) FROM STDIN"
            ) as copy,
        ):
            copy.write(buffer.read())
        buffer.seek(0)
        buffer.truncate()

    for n, (case, created, resolved) in enumerate(rows, 1):
        if resolved is not None or rng.random() < 0.5:
            line(case, created + dt.timedelta(hours=rng.randint(1, 30)), "status", {"to_status": "in_progress"}, False)
            made += 1
        if resolved is not None and rng.random() < 0.85:
            line(case, resolved - dt.timedelta(minutes=5), "note", {}, True)
            made += 1
        if resolved is not None and rng.random() < 0.02:
            line(case, resolved + dt.timedelta(days=2), "status", {"to_status": "reopened"}, False)
            made += 1
        if n % 100_000 == 0:
            flush()
            print(f"  history of {n:,} cases ({made:,} events)")
    flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_caseevent")
    print(f"history: {made:,} case events in {time.perf_counter() - started:.0f} s")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=reports_public.DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-reports"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])
    reports_public.load(args.cases)
    add_history()

    from django.core.cache import cache
    from django.test import Client as WebClient

    from okienko.accounts.models import Membership, User
    from okienko.accounts.roles import Role
    from okienko.core import clock
    from okienko.reports import quality

    city, _units, _services, _gminas = reports_public.fixtures()
    analyst, _new = User.objects.get_or_create(username="bench-reports-analyst")
    Membership.objects.get_or_create(user=analyst, organisation=city, role=Role.ANALYST)
    desk = WebClient(HTTP_HOST="localhost")
    desk.force_login(analyst)
    today = clock.local_now().date()

    now = clock.now()
    start = now - dt.timedelta(days=30)
    scope = [city.pk]  # type: ignore[attr-defined]
    for _n in range(2):  # warm
        quality.report(scope, start, now, now)
    t0 = time.perf_counter()
    lines = quality.report(scope, start, now, now)
    t1 = time.perf_counter()
    sums = quality._stream(quality._cases(scope, start, now), start, now)
    t2 = time.perf_counter()
    cases = sum(line.cases for line in lines)
    print(
        f"30 days: {cases:,} cases in {len(lines)} lines; report() {1000 * (t1 - t0):.0f} ms, "
        f"of which the office-hour pass {1000 * (t2 - t1):.0f} ms ({len(sums)} groups)"
    )
    for label, days in (("30 days", 30), ("90 days", 90), ("a year", 365)):
        url = f"/desk/reports/quality/?since={today - dt.timedelta(days=days)}&until={today}"
        for cached in (False, True):
            times = []
            for _n in range(args.requests):
                if not cached:
                    cache.clear()
                t0 = time.perf_counter()
                answer = desk.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"{url} answered {answer.status_code}")
            kind = "cached" if cached else "computed"
            p50, p95 = statistics.median(times), pct(times, 95)
            print(f"quality report, {label}, {kind}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")


if __name__ == "__main__":
    main()

"""Reports, first slice (issue 20) on PostgreSQL: rollups, the public statistics page, open data.

    .venv/bin/python bench/reports_public.py --cases 1000000

Loads ``--cases`` cases with COPY into their own database (``okienko_bench_reports``, created and
migrated when missing; the load is skipped when it already holds that many bench cases): one city
with 20 units, 10 published services in 3 categories, 8 channels, 20 gminas, spread over the last
two years, ≈70 % resolved (a third of them late). Then measures, in this process through Django's
whole stack (no network):

* ``rollups.rebuild()`` over every case (two GROUP BY queries and a bulk insert);
* the outbox path: ``--events`` case events of random cases opened in the last 30 days, delivered
  to the rollup subscriber by ``events.deliver_due()`` in its batches, each batch followed by the
  flush that recomputes the marked days → events per second (target ≥ 300/s);
* the public statistics page ``/statystyki/?miesiac=…`` uncached (each month once) and cached
  (``--requests`` requests) → p95 (target cached ≤ 200 ms);
* the open-data stream: every row of ``--days`` days of ``opendata.rows`` written through the CSV
  view's writer → rows per second and the process's peak memory growth;
* the desk's export of every case of the city as CSV (``export.csv_lines``) → rows per second
  (target ≥ 20,000/s for 1,000,000 cases) and peak memory growth (target < 200 MB).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_reports"
sys.path.insert(0, str(ROOT / "bench"))

CHANNELS = ["phone", "email", "portal", "sms", "chat", "eform", "counter", "open311"]
COLUMNS = [
    "uuid",
    "number",
    "organisation_id",
    "service_id",
    "description",
    "status",
    "priority",
    "channel",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "latitude",
    "longitude",
    "address",
    "gmina_id",
    "assigned_unit_id",
    "sla_basis",
    "resolve_due",
    "resolved_at",
    "closed_at",
    "escalation_level",
    "created_at",
    "updated_at",
    "version",
    "answers",
    "external_token",
    "media_url",
    "priority_reason",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fixtures() -> tuple[object, list[object], list[object], list[str]]:
    from okienko.accounts.models import Organisation, TerritorialUnit
    from okienko.catalogue.models import Service, ServiceCategory

    city, _new = Organisation.objects.get_or_create(
        code="bench-reports-city", defaults={"name": "Miasto (benchmark raportów)", "kind": Organisation.Kind.CITY}
    )
    units = []
    for n in range(20):
        unit, _new = Organisation.objects.get_or_create(
            code=f"bench-reports-unit-{n}",
            defaults={"name": f"Wydział {n + 1}", "kind": Organisation.Kind.UNIT, "parent": city},
        )
        units.append(unit)
    categories = []
    for n in range(3):
        category, _new = ServiceCategory.objects.get_or_create(
            organisation=city, code=f"bench-reports-{n}", defaults={"name": f"Kategoria {n + 1}"}
        )
        categories.append(category)
    services = []
    for n in range(10):
        service, _new = Service.objects.get_or_create(
            organisation=city,
            code=f"bench-reports-{n}",
            defaults={
                "category": categories[n % 3],
                "public_name": f"Usługa {n + 1}",
                "publication": Service.Publication.LISTED,
            },
        )
        services.append(service)
    gminas = []
    for n in range(20):
        unit, _new = TerritorialUnit.objects.get_or_create(
            code=f"99{n:05d}"[:7], defaults={"name": f"Dzielnica {n + 1}", "kind": TerritorialUnit.Kind.GMINA}
        )
        gminas.append(unit.code)
    return city, units, services, gminas


def load(count: int) -> None:
    from django.db import connection

    from okienko.cases.models import Case

    city, units, services, gminas = fixtures()
    have = Case.objects.filter(organisation=city).count()
    if have >= count:
        print(f"cases already loaded: {have:,}")
        return
    rng = random.Random(20)
    now = dt.datetime.now(dt.UTC)
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    started = time.perf_counter()
    done = have
    while done < count:
        n = min(50_000, count - done)
        buf = io.StringIO()
        for i in range(n):
            created = now - dt.timedelta(seconds=rng.randint(3600, 730 * 86400))
            resolve_due = created + dt.timedelta(days=14)
            resolved = rng.random() < 0.7
            if resolved:
                late = rng.random() < 0.33
                done_at = created + dt.timedelta(hours=rng.randint(400, 1400) if late else rng.randint(2, 330))
                done_at = min(done_at, now)
            row = [
                str(uuid.uuid4()),
                f"BENCH-REP/{created.year}/{done + i + 1:08d}",
                str(city.pk),  # type: ignore[attr-defined]
                str(services[rng.randrange(10)].pk),  # type: ignore[attr-defined]
                "Zgłoszenie testowe",
                "resolved" if resolved else rng.choice(["assigned", "in_progress", "waiting_client"]),
                "normal",
                rng.choice(CHANNELS),
                "Jan Testowy",
                "",
                "",
                f"{51.70 + rng.random() * 0.15:.6f}",
                f"{19.35 + rng.random() * 0.25:.6f}",
                "",
                rng.choice(gminas),
                str(units[rng.randrange(20)].pk),  # type: ignore[attr-defined]
                "working_days",
                resolve_due.isoformat(),
                done_at.isoformat() if resolved else "\\N",
                "\\N",
                "0",
                created.isoformat(),
                created.isoformat(),
                "1",
                "{}",
                str(uuid.uuid4()),
                "",
                "",
            ]
            buf.write("\t".join(row) + "\n")
        with raw.cursor() as cur, cur.copy(f"COPY cases_case ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        raw.commit()
        done += n
        print(f"  {done:,} cases ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--load-only", action="store_true", help="load the cases and stop (measure later)")
    parser.add_argument("--outbox-only", action="store_true", help="measure only the outbox path (rollups kept)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-reports"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from django.core.cache import cache
    from django.test import Client as WebClient

    from okienko.cases.models import Case
    from okienko.core import clock
    from okienko.reports import opendata, rollups
    from okienko.reports import statistics as stats_module
    from okienko.reports.models import CaseDay

    load(args.cases)
    if args.load_only:
        return
    city, _units, _services, _gminas = fixtures()
    total = Case.objects.filter(organisation=city).count()
    print(f"cases: {total:,}")

    if not args.outbox_only:
        started = time.perf_counter()
        rows = rollups.rebuild()
        took = time.perf_counter() - started
        print(f"rebuild: {rows:,} rollup rows in {took:.1f} s")

    # The outbox path as the worker runs it: case events of the last 30 days' cases (status
    # changes come to open, recent cases), one delivery each to the rollup subscriber, delivered in
    # batches of OUTBOX_BATCH_SIZE by events.deliver_due(), whose after-batch flush recomputes each
    # marked day once. Measured from the first batch until no delivery is left.
    from django.db import transaction

    from okienko.core import events
    from okienko.core.models import OutboxDelivery, OutboxEvent

    recent = list(
        Case.objects.filter(organisation=city, created_at__gte=clock.now() - dt.timedelta(days=30)).values_list(
            "pk", flat=True
        )[:100_000]
    )
    rng = random.Random(7)
    sample = [rng.choice(recent) for _ in range(args.events)]
    now = clock.now()
    with transaction.atomic():
        made = [
            OutboxEvent(created_at=now, topic="case.status_changed", aggregate_type="cases.case", aggregate_id=str(pk))
            for pk in sample
        ]
        OutboxEvent.objects.bulk_create(made, batch_size=2000)
        OutboxDelivery.objects.bulk_create(
            [OutboxDelivery(event=e, subscriber="reports.case_rollups", available_at=now) for e in made],
            batch_size=2000,
        )
    started = time.perf_counter()
    delivered = 0
    for _batch in range(args.events):  # bounded: one batch delivers at least one
        handled = events.deliver_due()
        if not handled:
            break
        delivered += handled
    took = time.perf_counter() - started
    print(
        f"outbox path: {delivered:,} case events on {len(set(sample)):,} cases of the last 30 days "
        f"in {took:.1f} s = {delivered / took:,.0f} events/s"
    )
    OutboxEvent.objects.filter(pk__in=[e.pk for e in made]).delete()
    if args.outbox_only:
        return

    import logging

    logging.getLogger("okienko.access").setLevel(logging.WARNING)  # one line per request otherwise
    months = stats_module.months_available()[:24]
    web = WebClient(HTTP_HOST="localhost")
    cold = []
    for month in months:
        cache.clear()
        t0 = time.perf_counter()
        assert web.get(f"/statystyki/?miesiac={month:%Y-%m}").status_code == 200
        cold.append((time.perf_counter() - t0) * 1000)
    for month in months:  # every month in the cache once, as the first visitors leave it
        web.get(f"/statystyki/?miesiac={month:%Y-%m}")
    warm = []
    for n in range(args.requests):
        month = months[n % len(months)]
        t0 = time.perf_counter()
        assert web.get(f"/statystyki/?miesiac={month:%Y-%m}").status_code == 200
        warm.append((time.perf_counter() - t0) * 1000)
    print(
        f"/statystyki/: uncached p50 {statistics.median(cold):.0f} ms, p95 {pct(cold, 95):.0f} ms "
        f"({len(cold)} months); cached p50 {statistics.median(warm):.1f} ms, p95 {pct(warm, 95):.1f} ms"
    )

    class Sink:
        def write(self, value: str) -> int:
            return len(value)

    writer = csv.writer(Sink())
    names = [name for name, _label in opendata.COLUMNS]
    today = rollups.local_day(clock.now())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = 0
    started = time.perf_counter()
    for back in range(1, args.days + 1):
        for row in opendata.rows(today - dt.timedelta(days=back)):
            writer.writerow(["" if row[name] is None else row[name] for name in names])
            count += 1
    took = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"open data: {count:,} rows over {args.days} days in {took:.1f} s = {count / took:,.0f} rows/s; "
        f"peak memory grew {grown:.0f} MB"
    )
    from okienko.reports import export

    scope = [city.pk]  # type: ignore[attr-defined]
    filters = export.Filters(since=today - dt.timedelta(days=731), until=today)
    header = [name for name, _label in export.COLUMNS]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count, size = -1, 0
    started = time.perf_counter()
    for line in export.csv_lines(scope, filters, header):
        count += 1
        size += len(line)
    took = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"export CSV: {count:,} cases ({size / 1e6:,.0f} MB) in {took:.1f} s = {count / took:,.0f} rows/s; "
        f"peak memory grew {grown:.0f} MB"
    )
    from okienko.accounts.models import Membership, User
    from okienko.accounts.roles import Role

    analyst, _new = User.objects.get_or_create(username="bench-reports-analyst")
    Membership.objects.get_or_create(user=analyst, organisation=city, role=Role.ANALYST)
    desk = WebClient(HTTP_HOST="localhost")
    desk.force_login(analyst)
    for label, url in (
        ("dashboard, this month", "/desk/reports/"),
        ("dashboard, a year", f"/desk/reports/?since={today - dt.timedelta(days=365)}&until={today}"),
        ("quality report, 30 days", "/desk/reports/quality/"),
    ):
        times = []
        for _n in range(max(5, args.requests // 10)):
            t0 = time.perf_counter()
            answer = desk.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{url} answered {answer.status_code}")
        print(f"{label}: p50 {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms")
    print(f"rollup rows now: {CaseDay.objects.count():,}")


if __name__ == "__main__":
    main()

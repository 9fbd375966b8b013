"""Public job-offer search (issue 19, item 5) on PostgreSQL: p95 with filters ≤ 50 ms over
100,000 published offers.

    .venv/bin/python bench/jobs_search.py --offers 100000 --queries 400

Builds (once; ``--reuse`` skips when enough offers are there) one county office, 500 employers
and ``--offers`` published offers: the texts of ~400 real ads from the shared data set
(``pl_job_ads_hand_coded_10k.csv.gz``; synthetic ones without it) are analysed once with the
product's Polish analysis and their keys reused, places spread over 60 Polish towns with
coordinates, pay, contract, working time and verification drawn at random. Then times
``search.filtered`` + the page's count and first 20 rows (what ``/oferty/`` and the API do) for
a mix of queries: words (inflected, without Polish letters) alone and with filters (area prefix,
occupation prefix, contract, part time, pay minimum, verified only, distance from a town).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_jobs"
sys.path.insert(0, str(ROOT / "bench"))

# town, TERYT (powiat or city), lat, lon
TOWNS = [
    ("Warszawa", "1465011", 52.2297, 21.0122), ("Kraków", "1261011", 50.0647, 19.9450),
    ("Łódź", "1061011", 51.7592, 19.4560), ("Wrocław", "0264011", 51.1079, 17.0385),
    ("Poznań", "3064011", 52.4064, 16.9252), ("Gdańsk", "2261011", 54.3520, 18.6466),
    ("Szczecin", "3262011", 53.4285, 14.5528), ("Bydgoszcz", "0461011", 53.1235, 18.0084),
    ("Lublin", "0663011", 51.2465, 22.5684), ("Białystok", "2061011", 53.1325, 23.1688),
    ("Katowice", "2469011", 50.2649, 19.0238), ("Gdynia", "2262011", 54.5189, 18.5305),
    ("Częstochowa", "2464011", 50.8118, 19.1203), ("Radom", "1463011", 51.4027, 21.1471),
    ("Toruń", "0463011", 53.0138, 18.5984), ("Kielce", "2661011", 50.8661, 20.6286),
    ("Rzeszów", "1863011", 50.0412, 21.9991), ("Olsztyn", "2862011", 53.7784, 20.4801),
    ("Opole", "1661011", 50.6751, 17.9213), ("Zielona Góra", "0862011", 51.9356, 15.5062),
    ("Łomża", "2062011", 53.1781, 22.0590), ("Suwałki", "2063011", 54.1115, 22.9308),
    ("Augustów", "2001011", 53.8436, 22.9797), ("Zambrów", "2014011", 52.9856, 22.2444),
    ("Hajnówka", "2005011", 52.7430, 23.5812), ("Sokółka", "2011", 53.4064, 23.5029),
    ("Płock", "1462011", 52.5463, 19.7065), ("Elbląg", "2861011", 54.1561, 19.4045),
    ("Gorzów Wielkopolski", "0861011", 52.7368, 15.2288), ("Siedlce", "1464011", 52.1676, 22.2902),
] + [(f"Miejscowość {i}", f"{(i % 16 + 1) * 2:02d}{i % 20 + 1:02d}", 49.5 + (i % 9) * 0.5, 15.0 + (i % 17) * 0.5)
     for i in range(30)]  # fmt: skip
QUERIES = [
    "kierowca", "kierowcow", "magazynier", "magazyniera", "ksiegowa", "księgowej", "sprzedawca", "sprzedawcy",
    "spawacz", "elektryk", "kucharz", "opiekunka", "programista python", "handlowiec", "specjalista sprzedaży",
    "pracownik produkcji", "operator wózka widłowego", "kasjer", "sprzataczka", "recepcjonistka",
    "mechanik samochodowy",
    "pielęgniarka", "nauczyciel angielskiego", "przedstawiciel handlowy", "kierownik sklepu", 'kierowca" OR (',
]  # fmt: skip


def ads(limit: int) -> list[tuple[str, str, str]]:
    source = ROOT.parent / "shared" / "data" / "pl-job-ads-kzis" / "pl_job_ads_hand_coded_10k.csv.gz"
    found: list[tuple[str, str, str]] = []
    if source.is_file():
        with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["language.title"] == "pl" and len(row["kzis_code"]) == 6 and row["job.title"].strip():
                    found.append((row["job.title"][:200], row["kzis_code"], row["job.description"][:3000]))
                if len(found) >= limit:
                    break
    if not found:
        words = ["Kierowca", "Magazynier", "Sprzedawca", "Księgowa", "Spawacz", "Kucharz", "Elektryk", "Kasjer"]
        codes = ["833201", "432103", "522301", "331301", "721204", "512001", "741103", "523002"]
        found = [
            (f"{w} (k/m)", c, f"Praca jako {w.lower()} w firmie {i}.")
            for i in range(50)
            for w, c in zip(words, codes, strict=True)
        ]
    return found


def build(count: int, rng: random.Random) -> None:
    from okienko.accounts.models import Organisation
    from okienko.jobs import search
    from okienko.jobs.models import Employer, JobOffer
    from okienko.jobs.states import ContractType

    stamp = int(time.time())
    office = Organisation.objects.create(
        code=f"jobs-pup-{stamp}", name="PUP bench", kind=Organisation.Kind.COUNTY_OFFICE
    )
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"Firma {i}", nip=f"{stamp % 10000:04d}{i:06d}", locality="X", teryt_code="1465011",
                office=office, status="verified" if i % 3 else "pending",
            )
            for i in range(500)
        ]
    )  # fmt: skip
    started = time.perf_counter()
    templates = []
    for title, code, description in ads(400):
        templates.append(
            (
                title,
                code,
                search.analyse(title),
                search.analyse(search.occupation_text(code)),
                search.analyse(description),
            )
        )
    print(f"analysed {len(templates)} ad texts in {time.perf_counter() - started:.1f} s")
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    contracts = list(ContractType.values)
    batch: list[JobOffer] = []
    for i in range(count):
        title, code, tk, ok, bk = templates[i % len(templates)]
        town, teryt, lat, lon = TOWNS[rng.randrange(len(TOWNS))]
        low = Decimal(rng.randrange(4300, 12000, 100))
        employer = employers[rng.randrange(len(employers))]
        batch.append(
            JobOffer(
                origin="employer", employer=employer, office=office, title=title, occupation_code=code,
                place_teryt=teryt, place_locality=town, latitude=lat + rng.uniform(-0.05, 0.05),
                longitude=lon + rng.uniform(-0.05, 0.05), contract_type=rng.choice(contracts),
                working_time=Decimal("1.00") if rng.random() < 0.8 else Decimal("0.50"),
                pay_min=low, pay_max=low + Decimal(rng.randrange(0, 4000, 100)), status="published",
                verified=employer.status == "verified", valid_from=today, valid_until=today + dt.timedelta(days=30),
                published_at=now - dt.timedelta(minutes=i), title_keys=tk, occupation_keys=ok, body_keys=bk,
            )
        )  # fmt: skip
        if len(batch) == 5000:
            JobOffer.objects.bulk_create(batch)
            batch = []
    if batch:
        JobOffer.objects.bulk_create(batch)
    print(f"built {count} offers in {time.perf_counter() - started:.1f} s")


def filters_for(rng: random.Random) -> object:
    from okienko.jobs.search import Filters

    town = TOWNS[rng.randrange(30)]
    shape = rng.randrange(8)
    query = rng.choice(QUERIES)
    if shape == 0:
        return Filters(query=query)
    if shape == 1:
        return Filters(query=query, area=town[1][:2])
    if shape == 2:
        return Filters(query=query, area=town[1][:4], verified_only=True)
    if shape == 3:
        return Filters(query=query, near=town[0], km=rng.choice([10, 30, 50]))
    if shape == 4:
        return Filters(query=query, pay_min=Decimal(rng.choice([5000, 7000, 9000])), contract=["employment_indefinite"])
    if shape == 5:
        return Filters(occupation=rng.choice(["8", "83", "8332", "4321"]), area=town[1][:2])
    if shape == 6:
        return Filters(query=query, working_time="part", area=town[1][:2], verified_only=True)
    return Filters(near=town[0], km=30, pay_min=Decimal(6000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--reuse", action="store_true", help="Skip building when enough offers are there.")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-jobs"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])
    from django.db import connection

    from okienko.jobs import search
    from okienko.jobs.models import JobOffer

    rng = random.Random(args.seed)
    have = JobOffer.objects.published().count()
    if not (args.reuse and have >= args.offers):
        build(args.offers - have if args.reuse else args.offers, rng)
        with connection.cursor() as cursor:
            for table in ("jobs_joboffer", "jobs_employer", "jobs_searchform"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"{JobOffer.objects.published().count()} published offers")
    timings: list[float] = []
    found: list[int] = []
    for _warm in range(20):
        offers, _place = search.filtered(filters_for(rng))  # type: ignore[arg-type]
        list(offers[:20])
    for _ in range(args.queries):
        chosen = filters_for(rng)
        started = time.perf_counter()
        offers, _place = search.filtered(chosen)  # type: ignore[arg-type]
        total = search.capped_count(offers)
        list(offers[:20])
        timings.append((time.perf_counter() - started) * 1000)
        found.append(total)
    timings.sort()

    def p(q: float) -> float:
        return timings[min(len(timings) - 1, int(q * len(timings)))]

    print(
        f"{len(timings)} searches: mean {statistics.mean(timings):.1f} ms, p50 {p(0.5):.1f}, "
        f"p95 {p(0.95):.1f}, p99 {p(0.99):.1f}, max {timings[-1]:.1f} ms; "
        f"median matches {statistics.median(found):.0f}, max {max(found)} (counted up to {search.COUNT_CAP})"
    )


if __name__ == "__main__":
    main()

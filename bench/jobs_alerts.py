"""Job alerts (issue 19, item 6) on PostgreSQL: matching a day's 5,000 new offers against
100,000 saved searches in ≤ 5 minutes on one worker.

    .venv/bin/python bench/jobs_alerts.py --searches 100000 --offers 5000

Builds (once; kept between runs) one county office, ``--searches / 5`` job seekers with a portal
account each and five saved searches per account, with the filter mix people save: an
occupation prefix (6, 4 or 2 digits of KZiS) or words or both, an area (a TERYT prefix of 2, 4 or 7
digits, mostly a powiat, or none), the words inflected, some without Polish letters; contract, minimum pay, verified
only, part or full time, distance from a town; half of them "at once", half a daily digest.
Then publishes ``--offers`` new offers (texts of real ads from the shared data set, analysed once
with the product's Polish analysis, as ``bench/jobs_search.py`` does) and times, on one process:

1. the worker's path: ``alerts.actions.on_offer_published`` once per offer, as the outbox
   subscriber calls it when an offer is published (match, store the alerts, emit the "due" events
   of the "at once" searches);
2. the same offers matched in one call of ``record_matches`` (chunks of 500), after the first
   pass's alerts are removed;
3. the evening's ``send_digests`` over the daily searches' pending alerts.

Sending the messages themselves (rendering, the e-mail and SMS gateways) is measured by
``bench/notifications_outbound.py`` and ``bench/sms_smpp.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_alerts"
sys.path.insert(0, str(ROOT / "bench"))

WORDS = [
    "kierowca", "kierowcy", "magazynier", "magazyniera", "ksiegowa", "księgowej", "sprzedawca", "spawacz",
    "elektryk", "kucharz", "opiekunka", "programista", "handlowiec", "kasjer", "sprzątaczka", "mechanik",
    "pielęgniarka", "operator wózka", "pracownik produkcji", "przedstawiciel handlowy",
]  # fmt: skip
PER_ACCOUNT = 5


def _filters(rng: random.Random, codes: list[str], towns: list[tuple[str, str, float, float]]) -> dict[str, object]:
    from okienko.jobs.states import ContractType

    filters: dict[str, object] = {}
    if rng.random() < 0.75:
        filters["occupation"] = rng.choice(codes)[: rng.choice([4, 4, 4, 6, 6, 6, 6, 6, 6, 2])]
    roll = rng.random()
    town, teryt, _lat, _lon = rng.choice(towns)
    if roll < 0.1:
        filters["near"], filters["km"] = town, rng.choice([10, 25, 50])
    elif roll < 0.9:
        filters["area"] = teryt[: rng.choice([4, 4, 4, 4, 4, 7, 7, 7, 2])]
    if "occupation" not in filters or rng.random() < 0.2:  # a search names an occupation, words or both
        filters["q"] = rng.choice(WORDS)
    if rng.random() < 0.2:
        filters["contract"] = rng.sample(list(ContractType.values), rng.randint(1, 2))
    if rng.random() < 0.2:
        filters["pay_min"] = str(rng.randrange(4500, 10000, 500))
    if rng.random() < 0.2:
        filters["verified"] = True
    if rng.random() < 0.1:
        filters["working_time"] = rng.choice(["full", "part"])
    return filters


def build_searches(count: int, rng: random.Random, codes: list[str]) -> None:
    from django.db import connection, transaction
    from jobs_search import TOWNS

    from okienko.accounts.models import Organisation, User
    from okienko.clients.models import Client
    from okienko.core import clock
    from okienko.jobs.alerts.models import Frequency, SavedSearch
    from okienko.jobs.seekers.models import PortalAccount

    office, _new = Organisation.objects.get_or_create(
        code="alerts-pup", defaults={"name": "PUP bench", "kind": Organisation.Kind.COUNTY_OFFICE}
    )
    have = SavedSearch.objects.count()
    if have >= count:
        print(f"{have:,} saved searches already there")
        return
    now = clock.now()
    started = time.perf_counter()
    batch = 2000  # accounts per transaction
    for first in range(have // PER_ACCOUNT, count // PER_ACCOUNT, batch):
        size = min(batch, count // PER_ACCOUNT - first)
        with transaction.atomic():
            users = User.objects.bulk_create([User(username=f"alerts-{first + i}") for i in range(size)])
            clients = Client.objects.bulk_create(
                [
                    Client(
                        number=f"A{first + i:09d}", home_office=office, status=Client.Status.JOB_SEEKER,
                        first_name="Anna", last_name=f"Alert{first + i}", created_at=now, updated_at=now,
                    )
                    for i in range(size)
                ]
            )  # fmt: skip
            accounts = PortalAccount.objects.bulk_create(
                [
                    PortalAccount(user=u, client=c, kind=PortalAccount.Kind.SEEKER)
                    for u, c in zip(users, clients, strict=True)
                ]
            )
            searches = []
            for account, client in zip(accounts, clients, strict=True):
                for n in range(PER_ACCOUNT):
                    filters = _filters(rng, codes, TOWNS)
                    searches.append(
                        SavedSearch(
                            account=account, client=client, office=office, name=f"Wyszukiwanie {n}",
                            filters=filters, occupation=str(filters.get("occupation", "")),
                            area=str(filters.get("area", "")), by_email=True, by_sms=rng.random() < 0.4,
                            frequency=Frequency.AT_ONCE if rng.random() < 0.5 else Frequency.DAILY,
                            created_at=now,
                        )
                    )  # fmt: skip
            SavedSearch.objects.bulk_create(searches, batch_size=5000)
        print(f"  {(first + size) * PER_ACCOUNT:,} saved searches ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def new_offers(count: int, rng: random.Random, templates: list[tuple[str, str, str, str, str]]) -> list[int]:
    from jobs_search import TOWNS

    from okienko.accounts.models import Organisation
    from okienko.jobs.models import Employer, JobOffer
    from okienko.jobs.states import ContractType

    office = Organisation.objects.get(code="alerts-pup")
    stamp = int(time.time())
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"Firma {stamp}-{i}", nip=f"{stamp % 10000:04d}{i:06d}", locality="X", teryt_code="1465011",
                office=office, status="verified" if i % 3 else "pending",
            )
            for i in range(200)
        ]
    )  # fmt: skip
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    contracts = list(ContractType.values)
    offers = []
    for _ in range(count):
        title, code, tk, ok, bk = templates[rng.randrange(len(templates))]
        town, teryt, lat, lon = TOWNS[rng.randrange(len(TOWNS))]
        low = Decimal(rng.randrange(4300, 12000, 100))
        employer = employers[rng.randrange(len(employers))]
        offers.append(
            JobOffer(
                origin="employer", employer=employer, office=office, title=title, occupation_code=code,
                place_teryt=teryt if len(teryt) == 7 else teryt + "011", place_locality=town,
                latitude=lat + rng.uniform(-0.05, 0.05), longitude=lon + rng.uniform(-0.05, 0.05),
                contract_type=rng.choice(contracts),
                working_time=Decimal("1.00") if rng.random() < 0.8 else Decimal("0.50"),
                pay_min=low, pay_max=low + Decimal(rng.randrange(0, 4000, 100)), status="published",
                verified=employer.status == "verified", valid_from=today, valid_until=today + dt.timedelta(days=30),
                published_at=now, title_keys=tk, occupation_keys=ok, body_keys=bk,
            )
        )  # fmt: skip
    return [o.pk for o in JobOffer.objects.bulk_create(offers, batch_size=1000)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--searches", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=5_000)
    parser.add_argument("--ads", type=int, default=1000, help="real ads whose texts and codes are used")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-alerts"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    # Production's task broker (the embedded run's SQLite broker costs ~30 ms a wake-up); its own
    # database number, emptied at the end (nobody consumes the wake-ups here).
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from jobs_search import ads

    from okienko.core.models import OutboxEvent
    from okienko.jobs import search
    from okienko.jobs.alerts import actions
    from okienko.jobs.alerts.models import Alert, SavedSearch
    from okienko.jobs.models import JobOffer

    rng = random.Random(args.seed)
    started = time.perf_counter()
    templates = [
        (
            title,
            code,
            search.analyse(title),
            search.analyse(search.occupation_text(code)),
            search.analyse(description),
        )
        for title, code, description in ads(args.ads)
    ]
    print(f"analysed {len(templates)} ad texts in {time.perf_counter() - started:.1f} s")
    build_searches(args.searches, rng, sorted({t[1] for t in templates}))
    active = SavedSearch.objects.filter(active=True).count()
    ids = new_offers(args.offers, rng, templates)
    print(f"{active:,} active saved searches; {len(ids):,} new offers")

    events_before = OutboxEvent.objects.count()
    started = time.perf_counter()
    for pk in ids:
        actions.on_offer_published(pk)
    one_by_one = time.perf_counter() - started
    alerts = Alert.objects.filter(offer_id__in=ids).count()
    due = OutboxEvent.objects.count() - events_before
    print(
        f"1. worker path, on_offer_published × {len(ids):,}: {one_by_one:.1f} s "
        f"({one_by_one / len(ids) * 1000:.1f} ms an offer); {alerts:,} alerts, {due:,} 'due' events"
    )

    Alert.objects.filter(offer_id__in=ids).delete()
    started = time.perf_counter()
    actions.record_matches(JobOffer.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=1000))
    batched = time.perf_counter() - started
    print(f"2. record_matches over {len(ids):,} offers at once: {batched:.1f} s")

    started = time.perf_counter()
    digests = actions.send_digests()
    print(f"3. send_digests: {digests:,} daily searches with new alerts in {time.perf_counter() - started:.1f} s")
    if os.environ["REDIS_URL"].endswith("/14"):
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


if __name__ == "__main__":
    main()

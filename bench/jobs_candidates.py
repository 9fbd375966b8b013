"""Candidate search for verified employers (issue 19, item 4) on PostgreSQL.

    .venv/bin/python bench/jobs_candidates.py --cvs 200000

Loads ``--cvs`` job seekers with a CV each (written in bulk: client, CV, its occupation, area and
skill keys; 60 % with a current consent to be found, the rest never consented or withdrawn) into
one county office, unless the database already holds them, then times
``okienko.jobs.seekers.search.page`` (the query every candidate search runs: consent join,
KZiS prefix, TERYT prefix, skills, availability, working time; newest first, one page of 20) with
random filter combinations, and the whole page ``/konto/kandydaci/`` through Django's stack for a
verified employer's portal account. Target: candidate search p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_candidates"
sys.path.insert(0, str(ROOT / "bench"))

OCCUPATIONS = [
    "432102",
    "833201",
    "833202",
    "522301",
    "512001",
    "711202",
    "721204",
    "911207",
    "941201",
    "331403",
    "251401",
    "741103",
    "723103",
    "818990",
    "932911",
    "962907",
    "421190",
    "343404",
    "334306",
    "515303",
]
SKILLS = [
    "wozki widlowe",
    "sap",
    "excel",
    "obsluga kasy fiskalnej",
    "spawanie mig mag",
    "prawo jazdy c+e",
    "jezyk angielski",
    "hacap",
    "autocad",
    "obsluga klienta",
    "magazyn",
    "sprzedaz",
    "sql",
    "python",
    "kierowanie zespolem",
    "ksiegowosc",
    "kadry i place",
    "murowanie",
    "tynkowanie",
    "elektryka",
]
COUNTIES = [
    "2061",
    "2062",
    "2063",
    "2064",
    "2065",
    "2066",
    "2067",
    "2068",
    "2069",
    "2070",
    "2071",
    "2072",
    "1465",
    "1261",
    "0264",
    "3064",
    "1061",
    "2261",
    "2469",
    "0661",
]


def _load(count: int, rng: random.Random) -> None:
    from django.db import connection, transaction

    from okienko.accounts.models import Organisation
    from okienko.clients.models import Client
    from okienko.core import clock
    from okienko.jobs.seekers.models import CV, CVArea, CVOccupation, CVSkill, SearchConsent

    office, _new = Organisation.objects.get_or_create(
        code="bench-pup", defaults={"name": "PUP bench", "kind": Organisation.Kind.COUNTY_OFFICE}
    )
    have = CV.objects.count()
    now = clock.now()
    today = dt.date.today()
    batch = 5000
    start = time.perf_counter()
    for first in range(have, count, batch):
        size = min(batch, count - first)
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                [
                    Client(
                        number=f"B{first + i:09d}",
                        home_office=office,
                        status=Client.Status.JOB_SEEKER,
                        first_name="Jan",
                        last_name=f"Bench{first + i}",
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(size)
                ]
            )
            cvs = []
            for i, client in enumerate(clients):
                occ = rng.sample(OCCUPATIONS, rng.randint(1, 3))
                cvs.append(
                    CV(
                        client=client,
                        pseudonym=f"K-{first + i:07X}",
                        headline=occ[0],
                        experience=[{"title": "praca", "occupation_code": c, "years": rng.randint(0, 10)} for c in occ],
                        skills=rng.sample(SKILLS, rng.randint(1, 5)),
                        areas=rng.sample(COUNTIES, rng.randint(1, 2)),
                        available_from=today + dt.timedelta(days=rng.randint(-30, 120)),
                        working_time=rng.choice(["full", "part", "any", "any"]),
                        main_occupation=occ[0],
                        experience_years=rng.randint(0, 20),
                    )
                )
            CV.objects.bulk_create(cvs)
            consents = []
            for cv in cvs:
                roll = rng.random()
                if roll < 0.7:
                    consents.append(
                        SearchConsent(
                            cv=cv,
                            text_version="2026-12",
                            granted_at=now,
                            withdrawn_at=now if roll >= 0.6 else None,
                        )
                    )
            SearchConsent.objects.bulk_create(consents)
            current = [c for c in consents if c.withdrawn_at is None]
            for consent in current:
                consent.cv.consent = consent
            CV.objects.bulk_update([c.cv for c in current], ["consent"])
            CVOccupation.objects.bulk_create(
                [CVOccupation(cv=cv, code=e["occupation_code"]) for cv in cvs for e in cv.experience]
            )
            CVArea.objects.bulk_create([CVArea(cv=cv, teryt=t) for cv in cvs for t in cv.areas])
            CVSkill.objects.bulk_create([CVSkill(cv=cv, key=s) for cv in cvs for s in cv.skills])
        print(f"  {first + size:,} CVs ({time.perf_counter() - start:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _filters(rng: random.Random) -> object:
    from okienko.jobs.seekers.search import Filters

    return Filters(
        occupation=rng.choice(OCCUPATIONS)[: rng.choice([2, 4, 6])] if rng.random() < 0.8 else "",
        skills=tuple(rng.sample(SKILLS, 1)) if rng.random() < 0.4 else (),
        area=rng.choice(COUNTIES)[: rng.choice([2, 4])] if rng.random() < 0.7 else "",
        available_by=dt.date.today() + dt.timedelta(days=rng.randint(0, 60)) if rng.random() < 0.5 else None,
        working_time=rng.choice(["", "full", "part"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cvs", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-candidates"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(args.database_url, os.environ["OKIENKO_VAR_DIR"])

    from django.conf import settings
    from django.test import Client as WebClient

    from okienko.accounts.models import Organisation, User
    from okienko.jobs.models import Employer, EmployerMembership
    from okienko.jobs.seekers import search
    from okienko.jobs.seekers.models import PortalAccount
    from okienko.jobs.states import EmployerStatus

    rng = random.Random(args.seed)
    _load(args.cvs, rng)
    settings.JOBS_CANDIDATE_LIMITS = {"search": 10**9, "view": 10**9}

    def figures(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[int(len(values) * 0.95) - 1]
        return f"p95 {p95:.1f} ms (p50 {statistics.median(values):.1f}, max {values[-1]:.1f})"

    for _warm in range(10):
        search.page(_filters(rng))  # type: ignore[arg-type]
    timings, found = [], []
    for _request in range(args.requests):
        filters = _filters(rng)
        started = time.perf_counter()
        rows, _more = search.page(filters)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(rows))
    print(
        f"search.page over {args.cvs:,} CVs, {args.requests} queries: {figures(timings)}; "
        f"mean {statistics.mean(found):.1f} rows a page"
    )

    office = Organisation.objects.get(code="bench-pup")
    employer, _new = Employer.objects.get_or_create(
        nip="5260250995",
        defaults={
            "name": "Bench Sp. z o.o.",
            "locality": "Białystok",
            "teryt_code": "2061011",
            "office": office,
            "status": EmployerStatus.VERIFIED,
        },
    )
    user, _new = User.objects.get_or_create(username="portal-bench")
    account, _new = PortalAccount.objects.get_or_create(user=user, defaults={"kind": "employer"})
    EmployerMembership.objects.get_or_create(employer=employer, user=user)
    web = WebClient(HTTP_HOST="localhost")
    session = web.session
    session["okienko.portal_account"] = account.pk
    session.save()
    pages = []
    for number in range(args.requests // 3 + 5):
        f = _filters(rng)
        query = {
            "occupation": f.occupation,
            "area": f.area,
            "working_time": f.working_time,  # type: ignore[attr-defined]
            "skills": ",".join(f.skills),
        }  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = web.get("/konto/kandydaci/", query)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if number >= 5:
            pages.append(elapsed)
    print(f"/konto/kandydaci/ page, {len(pages)} requests: {figures(pages)}")


if __name__ == "__main__":
    main()

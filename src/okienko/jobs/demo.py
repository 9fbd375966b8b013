"""Demo job offers (issue 19): a few demo employers of the Podlasie county offices, ~300 real
Polish job ads as their published offers, and an unverified employer's offer waiting in PUP
Białystok's moderation queue (walk it as ``konsultant.bialystok``).

Source of the real ads: ``DATA_DIR/pl-job-ads-kzis/pl_job_ads_hand_coded_10k.csv.gz`` (title,
description, contract, pay and the expert's KZiS code in separate columns), else
``hand-coded-1k.csv`` (title and description in one text: the title is its first words); without
either, ~20 synthetic offers. The ads were published in 2021: an ad that states its pay gets
that range (monthly or hourly, parsed); one that does not is imported as a historical offer
(``historical``: published before the pay-transparency rule of 24 December 2025, so no pay range
is required) — nothing is invented. Employers are demo companies (the ads' own employer names are
not copied), places are the demo offices' seats. Idempotent: loads only when the demo employer
has no offers yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import html
import random
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from okienko.accounts.models import Organisation, User
from okienko.core.actors import SystemActor
from okienko.jobs import actions, search
from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.states import ContactPreference, ContractType, EmployerStatus, OfferOrigin, PayPeriod

VERSION = 1
DEMO = SystemActor("demo")
REAL_OFFERS = 300

# (office code, locality, TERYT: 7 digits for the cities with powiat rights, else the powiat, lat, lon)
PLACES = [
    ("pup-bialystok", "Białystok", "2061011", 53.1325, 23.1688),
    ("pup-lomza", "Łomża", "2062011", 53.1781, 22.0590),
    ("pup-suwalki", "Suwałki", "2063011", 54.1115, 22.9308),
    ("pup-augustow", "Augustów", "2001", 53.8436, 22.9797),
    ("pup-zambrow", "Zambrów", "2014", 52.9856, 22.2444),
]
# (name, NIP, office code, verified)
EMPLOYERS = [
    ("Hurtownia Podlasie Sp. z o.o.", "5420000006", "pup-bialystok", True),
    ("Mleczarnia Narew Sp. z o.o.", "7180000001", "pup-lomza", True),
    ("Suwalskie Meble S.A.", "8440000003", "pup-suwalki", True),
    ("Augustowska Przystań Sp. z o.o.", "8460000006", "pup-augustow", True),
    ("Zambrowskie Usługi Budowlane s.c.", "7230000008", "pup-zambrow", True),
]
UNVERIFIED = ("Nowa Firma Usługowa Sp. z o.o.", "5420000012", "pup-bialystok")


def _nip(first_nine: str) -> str:
    from okienko.clients.identifiers import nip_checksum

    check = nip_checksum(first_nine)
    return first_nine + str(check if check != 10 else 0)


def _valid_nip(seed: str) -> str:
    """A valid demo NIP starting with ``seed``'s first digits (a check digit of 10 is skipped)."""
    from okienko.clients.identifiers import nip_checksum

    base = int(seed[:9])
    while nip_checksum(f"{base:09d}") == 10:
        base += 1
    return _nip(f"{base:09d}")


def _employer(name: str, nip: str, office: Organisation, *, verified: bool) -> Employer:
    nip = _valid_nip(nip)
    found = Employer.objects.filter(nip=nip).first()
    if found is not None:
        return found
    seat = next(p for p in PLACES if p[0] == office.code)
    employer = actions.register_employer(
        actor=DEMO, office=office, name=name, nip=nip, locality=seat[1], teryt_code=seat[2]
    )
    if verified:
        actions.set_employer_status(actor=DEMO, employer=employer, status=EmployerStatus.VERIFIED)
    return employer


_MONEY = re.compile(r"(\d[\d  ]*(?:[.,]\d+)?)")


def parse_pay(text: str) -> tuple[Decimal | None, Decimal | None, str]:
    """ "5 000-6 000 zł brutto / mies." → (5000, 6000, month); hourly when it says "godz"."""
    numbers = []
    for raw in _MONEY.findall(text.replace("\u00a0", " ")):
        digits = raw.replace(" ", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(digits)
        except ArithmeticError:
            continue
        if value > 0:
            numbers.append(value)
    if not numbers:
        return None, None, PayPeriod.MONTH
    period = PayPeriod.HOUR if "godz" in text.lower() or "/h" in text.lower() else PayPeriod.MONTH
    low, high = numbers[0], (numbers[1] if len(numbers) > 1 and numbers[1] >= numbers[0] else None)
    if period == PayPeriod.MONTH and low < 500:  # not a monthly amount after all
        return None, None, PayPeriod.MONTH
    return low.quantize(Decimal("0.01")), high.quantize(Decimal("0.01")) if high else None, period


def contract_of(text: str) -> str:
    lowered = text.lower()
    if "zlecen" in lowered:
        return ContractType.MANDATE
    if "dzieł" in lowered or "dziel" in lowered:
        return ContractType.SPECIFIC_WORK
    if "próbny" in lowered:
        return ContractType.EMPLOYMENT_TRIAL
    if "określony" in lowered:
        return ContractType.EMPLOYMENT_FIXED
    return ContractType.EMPLOYMENT_INDEFINITE


def _paragraphs(text: str) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
    chunks = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "".join(f"<p>{html.escape(c)}</p>" for c in chunks)[:8000]


def real_ads(data_dir: Path, limit: int) -> Iterator[dict[str, Any]]:
    folder = data_dir / "pl-job-ads-kzis"
    names = search.occupation_names()
    big, small = folder / "pl_job_ads_hand_coded_10k.csv.gz", folder / "hand-coded-1k.csv"
    handle: TextIO
    count = 0
    if big.is_file():
        with gzip.open(big, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["kzis_code"].strip()
                title = " ".join(row["job.title"].split())[:200]
                if row["language.title"] != "pl" or code not in names or not title or len(row["job.description"]) < 200:
                    continue
                yield {
                    "title": title,
                    "code": code,
                    "description": row["job.description"],
                    "salary": row["salary"],
                    "contract": row["contract.type"],
                    "part_time": "część" in row["job.type"],
                }
                count += 1
                if count >= limit:
                    return
    elif small.is_file():
        with small.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, text = row["class"].strip(), " ".join(row["desc"].split())
                if code not in names or len(text) < 200:
                    continue
                title = re.split(r" - | \| |, ", text, maxsplit=1)[0]
                title = " ".join(title.split()[:6])[:200]
                yield {
                    "title": title,
                    "code": code,
                    "description": text,
                    "salary": "",
                    "contract": text,
                    "part_time": False,
                }
                count += 1
                if count >= limit:
                    return


SYNTHETIC = [
    ("Magazynier (k/m)", "432103", "Przyjmowanie i wydawanie towaru, obsługa wózka widłowego, inwentaryzacje."),
    ("Kierowca kat. C+E (k/m)", "833201", "Przewóz towarów na terenie kraju, powroty na weekendy."),
    (
        "Sprzedawca / Sprzedawczyni",
        "522301",
        "Obsługa klientów w sklepie spożywczym, kasa fiskalna, wykładanie towaru.",
    ),
    ("Księgowy / Księgowa", "331301", "Prowadzenie ksiąg rachunkowych, rozliczenia VAT, deklaracje ZUS."),
    ("Kucharz (k/m)", "512001", "Przygotowywanie posiłków w stołówce, dbanie o porządek w kuchni."),
    (
        "Opiekun / Opiekunka osoby starszej",
        "532202",
        "Opieka nad osobą starszą w jej domu, pomoc w codziennych czynnościach.",
    ),
    ("Elektryk (k/m)", "741103", "Montaż instalacji elektrycznych w budynkach, uprawnienia SEP do 1 kV."),
    ("Pracownik produkcji (k/m)", "932990", "Praca przy linii produkcyjnej mebli, praca zmianowa."),
    ("Spawacz (k/m)", "721204", "Spawanie metodą MAG konstrukcji stalowych, wymagane uprawnienia."),
    ("Informatyk / Informatyczka", "351203", "Wsparcie użytkowników, konfiguracja komputerów i drukarek w biurze."),
]


def load(stdout: Any = None) -> None:
    offices = {o.code: o for o in Organisation.objects.filter(code__in=[p[0] for p in PLACES])}
    if len(offices) < len(PLACES):
        if stdout:
            stdout.write("demo: jobs skipped (the accounts demo's county offices are missing)")
        return
    employers = [_employer(n, nip, offices[o], verified=v) for n, nip, o, v in EMPLOYERS]
    if JobOffer.objects.filter(employer=employers[0]).exists():
        return
    rng = random.Random(19)  # noqa: S311 - demo data
    today = dt.date.today()
    moderator = User.objects.filter(username="konsultant.bialystok").first()
    actor: Any = moderator or DEMO
    ads = list(real_ads(Path(settings.DATA_DIR), REAL_OFFERS))
    if not ads:
        ads = [
            {"title": t, "code": c, "description": d, "salary": "", "contract": "", "part_time": False}
            for t, c, d in SYNTHETIC * 2
        ]
    loaded = 0
    for i, ad in enumerate(ads):
        employer = employers[i % len(employers)]
        office_code, locality, teryt, lat, lon = next(p for p in PLACES if p[0] == employer.office.code)
        low, high, period = parse_pay(ad["salary"]) if ad["salary"] else (None, None, PayPeriod.MONTH)
        synthetic = not ad["salary"] and ad in ads[:20] and not Path(settings.DATA_DIR, "pl-job-ads-kzis").is_dir()
        if synthetic:
            low = Decimal(rng.choice([4700, 5200, 6000, 7500]))
            high = low + Decimal(rng.choice([500, 1000, 2000]))
        values = {
            "title": ad["title"],
            "occupation_code": ad["code"],
            "place_teryt": teryt,
            "place_locality": locality,
            "latitude": round(lat + rng.uniform(-0.03, 0.03), 5),
            "longitude": round(lon + rng.uniform(-0.03, 0.03), 5),
            "contract_type": contract_of(ad["contract"]),
            "working_time": Decimal("0.50") if ad["part_time"] else Decimal("1.00"),
            "pay_min": low,
            "pay_max": high,
            "pay_period": period,
            "description": _paragraphs(ad["description"]),
            "valid_from": today - dt.timedelta(days=rng.randint(0, 20)),
            "valid_until": today + dt.timedelta(days=rng.randint(10, 60)),
            "contact_preference": ContactPreference.OFFICE,
            "posts": rng.choice([1, 1, 1, 2, 3]),
        }
        offer = actions.create_offer(
            actor=actor,
            employer=employer,
            office=offices[office_code],
            origin=OfferOrigin.OFFICE,
            values=values,
            historical=low is None,
        )
        actions.publish_office_offer(actor=actor, offer=offer)
        loaded += 1
    pending_employer = _employer(UNVERIFIED[0], UNVERIFIED[1], offices[UNVERIFIED[2]], verified=False)
    pending = actions.create_offer(
        actor=DEMO,
        employer=pending_employer,
        values={
            "title": "Recepcjonistka",
            "place_teryt": "2061011",
            "place_locality": "Białystok",
            "latitude": 53.1325,
            "longitude": 23.1688,
            "contract_type": ContractType.EMPLOYMENT_FIXED,
            "pay_min": Decimal("4800"),
            "pay_max": Decimal("5500"),
            "description": "<p>Zatrudnimy panią do 30 lat na recepcję hotelu. Mile widziana miła aparycja. "
            'CV ze zdjęciem prosimy przesyłać przez <a href="https://example.com/aplikuj">formularz</a>.</p>',
            "valid_from": today,
            "valid_until": today + dt.timedelta(days=30),
        },
    )
    actions.submit_offer(actor=DEMO, offer=pending)
    if stdout:
        stdout.write(f"demo: {loaded} published job offers, 1 offer in PUP Białystok's moderation queue")

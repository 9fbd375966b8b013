"""Demo clients: a few hundred residents, job seekers and employers of the 14 Podlaskie county
offices and of Łódź, with valid PESEL/NIP numbers and addresses in the right gminy. Idempotent:
the same seed gives the same people, and a PESEL or NIP already registered is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from okienko.accounts.demo import COUNTY_OFFICES
from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.clients import actions, identifiers
from okienko.clients.models import Client, ClientConsent, ClientRelation
from okienko.core.text import fold

VERSION = 1
PER_COUNTY = 18
LODZ_PEOPLE = 45

MALE = [
    "Jan",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Marcin",
    "Michał",
    "Grzegorz",
    "Łukasz",
    "Adam",
    "Marek",
    "Dariusz",
    "Mariusz",
    "Wojciech",
    "Kamil",
    "Mateusz",
    "Jakub",
    "Rafał",
    "Sebastian",
    "Zbigniew",
    "Jerzy",
    "Bartłomiej",
    "Szymon",
    "Dawid",
]
FEMALE = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Magdalena",
    "Joanna",
    "Aleksandra",
    "Monika",
    "Zofia",
    "Teresa",
    "Danuta",
    "Natalia",
    "Karolina",
    "Justyna",
    "Beata",
    "Dorota",
    "Halina",
    "Jolanta",
    "Iwona",
    "Żaneta",
]
SURNAMES = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Nowicki",
    "Adamczyk",
    "Dudek",
    "Zając",
    "Wieczorek",
    "Jabłoński",
    "Król",
    "Majewski",
    "Olszewski",
    "Jaworski",
    "Wróbel",
    "Malinowski",
    "Pawlak",
    "Witkowski",
    "Walczak",
    "Stępień",
    "Górski",
    "Rutkowski",
    "Michalak",
    "Sikora",
    "Ostrowski",
    "Baran",
    "Duda",
    "Szewczyk",
    "Tomaszewski",
    "Pietrzak",
    "Marciniak",
    "Wróblewski",
    "Zalewski",
    "Jakubowski",
    "Jasiński",
    "Zawadzki",
    "Sadowski",
    "Bąk",
    "Chmielewski",
    "Włodarczyk",
    "Borkowski",
    "Czarnecki",
    "Sawicki",
    "Sokołowski",
    "Urbański",
    "Kubiak",
    "Maciejewski",
    "Szczepański",
    "Kucharski",
    "Wilk",
    "Kalinowski",
    "Lis",
    "Mazurek",
    "Wysocki",
    "Adamski",
    "Kaźmierczak",
    "Wasilewski",
    "Sobczak",
    "Czerwiński",
    "Andrzejewski",
    "Cieślak",
    "Głowacki",
    "Zakrzewski",
    "Kołodziej",
    "Sikorski",
    "Krajewski",
    "Gajewski",
    "Szymczak",
    "Szulc",
    "Baranowski",
    "Laskowski",
    "Brzeziński",
    "Makowski",
    "Ziółkowski",
    "Przybylski",
    "Domański",
    "Nowacki",
    "Borowski",
    "Błaszczyk",
    "Chojnacki",
    "Ciesielski",
    "Mróz",
    "Szczepaniak",
    "Wesołowski",
    "Górecki",
    "Krupa",
    "Kaczmarczyk",
    "Leszczyński",
    "Lipiński",
    # Podlaskie surnames
    "Sienkiewicz",
    "Sawczuk",
    "Jakubczyk",
    "Ostaszewski",
    "Łapiński",
    "Niewiński",
    "Kondratiuk",
    "Romanowski",
    "Dmitruk",
    "Kamiński",
    "Wasiluk",
    "Sidorczuk",
    "Waszkiewicz",
    "Gryko",
    "Leoniuk",
]
STREETS = [
    "ul. Lipowa",
    "ul. Sienkiewicza",
    "ul. Mickiewicza",
    "ul. Kościuszki",
    "ul. Polna",
    "ul. Leśna",
    "ul. Słoneczna",
    "ul. Kolejowa",
    "ul. Szkolna",
    "ul. Ogrodowa",
    "ul. Długa",
    "ul. Kościelna",
    "ul. Parkowa",
    "ul. Zielona",
    "ul. 3 Maja",
    "ul. Piłsudskiego",
    "ul. Wojska Polskiego",
    "ul. Brzozowa",
]
LODZ_STREETS = [
    "ul. Piotrkowska",
    "al. Kościuszki",
    "ul. Zgierska",
    "ul. Rzgowska",
    "ul. Pabianicka",
    "ul. Narutowicza",
    "al. Włókniarzy",
    "ul. Limanowskiego",
    "ul. Kilińskiego",
    "ul. Wólczańska",
    "ul. Retkińska",
    "ul. Dąbrowskiego",
    "al. Piłsudskiego",
    "ul. Obywatelska",
    "ul. Zachodnia",
]
EMPLOYERS = [
    "Piekarnia",
    "Przedsiębiorstwo Budowlane",
    "Zakład Stolarski",
    "Sklep Spożywczy",
    "Gospodarstwo Ogrodnicze",
    "Usługi Transportowe",
    "Biuro Rachunkowe",
    "Zakład Mięsny",
    "Hurtownia Budowlana",
    "Mleczarnia",
]
STATUSES = [Client.Status.UNEMPLOYED] * 5 + [Client.Status.JOB_SEEKER] * 2 + [Client.Status.RESIDENT]


def _rng(seed: str) -> random.Random:
    """One generator per demo person, so a rerun makes the same person whatever exists already."""
    return random.Random(seed)  # noqa: S311 - demo data, not security


def feminine(surname: str) -> str:
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


def _phone(rng: random.Random) -> str:
    return f"{rng.choice('5678')}{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"


def _gminy(powiaty: list[str]) -> list[TerritorialUnit]:
    units = TerritorialUnit.objects.filter(kind=TerritorialUnit.Kind.GMINA)
    return [u for u in units if u.code[:4] in powiaty and u.code[-1] in "123"]


def _person(rng: random.Random, office: Organisation, gmina: TerritorialUnit | None, *, lodz: bool) -> dict[str, Any]:
    female = rng.random() < 0.5
    surname = rng.choice(SURNAMES)
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randint(0, 18000))
    postal = f"9{rng.randint(0, 4)}-{rng.randint(0, 999):03d}" if lodz else ""
    return {
        "first_name": rng.choice(FEMALE if female else MALE),
        "last_name": feminine(surname) if female else surname,
        "pesel": identifiers.make_pesel(birth, rng.randint(0, 999), female=female),
        "status": Client.Status.RESIDENT if lodz else rng.choice(STATUSES),
        "street": f"{rng.choice(LODZ_STREETS if lodz else STREETS)} {rng.randint(1, 180)}",
        "postal_code": postal,
        "city": "Łódź" if lodz else (gmina.name if gmina else ""),
        "gmina_code": gmina.code if gmina else None,
    }


def _register(office: Organisation, data: dict[str, Any], rng: random.Random, *, kind: str = "person") -> Client | None:
    phones = [_phone(rng)] if rng.random() < 0.85 else []
    emails = []
    if rng.random() < 0.5:
        name = (data.get("last_name") or data.get("organisation_name", "firma")).split()[0]
        emails = [f"{fold(name).replace(' ', '')}{rng.randint(1, 999)}@example.pl"]
    consents, searchable = rng.random() < 0.6, rng.random() < 0.5
    key = {"pesel": data["pesel"]} if data.get("pesel") else {"nip": data["nip"]}
    if Client.objects.filter(**key).exists():
        return None
    client = actions.register_client(
        actor=None, home_office=office, kind=kind, phones=phones, emails=emails, accept_duplicates=True, **data
    )
    if consents:
        for topic in (ClientConsent.Topic.CONTACT_PHONE, ClientConsent.Topic.SMS):
            actions.record_consent(actor=None, client=client, topic=topic, granted=True, source="counter")
    if kind == "person" and client.status == Client.Status.JOB_SEEKER and searchable:
        actions.record_consent(
            actor=None, client=client, topic=ClientConsent.Topic.PROFILE_SEARCHABLE, granted=True, source="portal"
        )
    return client


def load(*, stdout: Any) -> None:
    created = 0
    for code, town, _seat, powiaty, _street, postal in COUNTY_OFFICES:
        office = Organisation.objects.get(code=code)
        gminy: list[TerritorialUnit | None] = list(_gminy(powiaty)) or [None]
        people = []
        for number in range(PER_COUNTY):
            rng = _rng(f"{code}-{number}")
            gmina = rng.choice(gminy)
            data = _person(rng, office, gmina, lodz=False)
            data["postal_code"] = postal
            client = _register(office, data, rng)
            if client:
                people.append(client)
                created += 1
        for index in range(2):
            rng = _rng(f"{code}-employer-{index}")
            nip = identifiers.make_nip(rng.randint(100_000_000, 999_999_999))
            gmina = rng.choice(gminy)
            employer = _register(
                office,
                {
                    "organisation_name": f"{EMPLOYERS[(index + len(code)) % len(EMPLOYERS)]} "
                    f"„{rng.choice(SURNAMES)}” {town}",
                    "nip": nip,
                    "status": Client.Status.EMPLOYER,
                    "street": f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
                    "postal_code": postal,
                    "city": gmina.name if gmina else town,
                    "gmina_code": gmina.code if gmina else None,
                },
                rng,
                kind=Client.Kind.ORGANISATION,
            )
            if employer and people:
                created += 1
                actions.relate_clients(
                    actor=None,
                    person=people[index],
                    kind=ClientRelation.Kind.REPRESENTS,
                    other=employer,
                    role="właściciel",
                )
    ckzm = Organisation.objects.get(code="lodz-ckzm")
    lodz_gmina = TerritorialUnit.objects.filter(code="1061011").first()
    for number in range(LODZ_PEOPLE):
        rng = _rng(f"lodz-{number}")
        if _register(ckzm, _person(rng, ckzm, lodz_gmina, lodz=True), rng):
            created += 1
    pinned = Client.objects.filter(pin_hash="", kind=Client.Kind.PERSON).order_by("number")[:5]
    for client in pinned:
        actions.set_pin(actor=None, client=client, pin="1234")
    stdout.write(f"  clients: {created} new, {Client.objects.count()} in total")

"""Demo organisations (Podlaskie labour offices, City of Łódź) and staff for every role.

Addresses and phone numbers are illustrative demo data, not an official register.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from okienko.accounts import actions
from okienko.accounts.models import Location, Membership, OfficeHours, Organisation, TerritorialUnit, User
from okienko.accounts.roles import Role
from okienko.accounts.teryt import load_terc
from okienko.core import reference

VERSION = 3  # 2: Łódź is a public Open311 jurisdiction; 3: seats in the locative (“PUP w Łomży”)
DEMO_PASSWORD = "okienko-demo-2026"  # noqa: S105 - documented demo accounts only

# code, town, the town after “in” (locative), powiat codes served, street, postal code
COUNTY_OFFICES = [
    ("pup-augustow", "Augustów", "w Augustowie", ["2001"], "ul. Młyńska 46", "16-300"),
    ("pup-bialystok", "Białystok", "w Białymstoku", ["2002", "2061"], "ul. Pogodna 22", "15-354"),
    (
        "pup-bielsk-podlaski",
        "Bielsk Podlaski",
        "w Bielsku Podlaskim",
        ["2003"],
        "ul. Kazimierza Wielkiego 8A",
        "17-100",
    ),
    ("pup-grajewo", "Grajewo", "w Grajewie", ["2004"], "ul. Strażacka 6A", "19-200"),
    ("pup-hajnowka", "Hajnówka", "w Hajnówce", ["2005"], "ul. Ks. Wierobieja 2", "17-200"),
    ("pup-kolno", "Kolno", "w Kolnie", ["2006"], "ul. Wojska Polskiego 46", "18-500"),
    ("pup-lomza", "Łomża", "w Łomży", ["2007", "2062"], "ul. Szosa Zambrowska 1/27", "18-400"),
    ("pup-monki", "Mońki", "w Mońkach", ["2008"], "ul. Słowackiego 5A", "19-100"),
    ("pup-sejny", "Sejny", "w Sejnach", ["2009"], "ul. Konopnickiej 11", "16-500"),
    ("pup-siemiatycze", "Siemiatycze", "w Siemiatyczach", ["2010"], "ul. Legionów Piłsudskiego 3", "17-300"),
    ("pup-sokolka", "Sokółka", "w Sokółce", ["2011"], "ul. Kolejowa 36", "16-100"),
    ("pup-suwalki", "Suwałki", "w Suwałkach", ["2012", "2063"], "ul. Pułaskiego 26", "16-400"),
    ("pup-wysokie-mazowieckie", "Wysokie Mazowieckie", "w Wysokiem Mazowieckiem", ["2013"], "ul. Ludowa 15B", "18-200"),
    ("pup-zambrow", "Zambrów", "w Zambrowie", ["2014"], "ul. Fabryczna 3", "18-300"),
]
PUP_DEPARTMENTS = [
    ("ewidencja", "Dział Ewidencji i Świadczeń"),
    ("posrednictwo", "Dział Pośrednictwa Pracy i Aktywizacji"),
]
CITY_UNITS = [
    ("lodz-ckzm", "Centrum Kontaktu z Mieszkańcami", Organisation.Kind.CONTACT_CENTRE),
    ("lodz-zdit", "Zarząd Dróg i Transportu", Organisation.Kind.UNIT),
    ("lodz-zzm", "Zarząd Zieleni Miejskiej", Organisation.Kind.UNIT),
    ("lodz-wgk", "Wydział Gospodarki Komunalnej", Organisation.Kind.UNIT),
    ("lodz-sm", "Straż Miejska w Łodzi", Organisation.Kind.UNIT),
    ("lodz-wso", "Wydział Spraw Obywatelskich", Organisation.Kind.UNIT),
    ("lodz-wos", "Wydział Ochrony Środowiska i Rolnictwa", Organisation.Kind.UNIT),
]

# username, first, last, [(organisation code, role)], superuser
STAFF = [
    ("admin", "Adam", "Administrator", [("wup-bialystok", Role.ADMINISTRATOR), ("lodz", Role.ADMINISTRATOR)], True),
    ("konsultant.wup", "Katarzyna", "Kowalska", [("wup-bialystok", Role.CONSULTANT)], False),
    ("konsultant.bialystok", "Tomasz", "Nowak", [("pup-bialystok", Role.CONSULTANT)], False),
    ("konsultant.lomza", "Ewa", "Wiśniewska", [("pup-lomza", Role.CONSULTANT)], False),
    ("ekspert.bialystok", "Piotr", "Wójcik", [("pup-bialystok-ewidencja", Role.EXPERT)], False),
    ("kierownik.wup", "Anna", "Kamińska", [("wup-bialystok", Role.SUPERVISOR)], False),
    ("analityk", "Marek", "Lewandowski", [("wup-bialystok", Role.ANALYST), ("lodz", Role.ANALYST)], False),
    (
        "redaktor",
        "Joanna",
        "Zielińska",
        [("wup-bialystok", Role.KNOWLEDGE_EDITOR), ("lodz", Role.KNOWLEDGE_EDITOR)],
        False,
    ),
    (
        "redaktor.portalu",
        "Michał",
        "Szymański",
        [("wup-bialystok", Role.PORTAL_EDITOR), ("lodz", Role.PORTAL_EDITOR)],
        False,
    ),
    ("konsultant.lodz", "Agnieszka", "Woźniak", [("lodz-ckzm", Role.CONSULTANT)], False),
    ("ekspert.zdit", "Krzysztof", "Dąbrowski", [("lodz-zdit", Role.EXPERT)], False),
    ("ekspert.zzm", "Magdalena", "Kozłowska", [("lodz-zzm", Role.EXPERT)], False),
    ("kierownik.lodz", "Paweł", "Jankowski", [("lodz-ckzm", Role.SUPERVISOR), ("lodz", Role.SUPERVISOR)], False),
    ("agencja", "Barbara", "Mazur", [("agencja-praca-plus", Role.AGENCY_WORKER)], False),
    ("kontrakty.bialystok", "Agnieszka", "Kowalczyk", [("pup-bialystok", Role.CONTRACT_MANAGER)], False),
    ("kontrakty.lomza", "Marek", "Zieliński", [("pup-lomza", Role.CONTRACT_MANAGER)], False),
]


def _org(code: str, name: str, kind: str, parent: Organisation | None, **extra: Any) -> Organisation:
    org, _ = Organisation.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, **extra}
    )
    return org


def _hours(org: Organisation, opens: dt.time, closes: dt.time, days: range = range(5)) -> None:
    for day in days:
        OfficeHours.objects.get_or_create(organisation=org, weekday=day, opens=opens, closes=closes)


def load(*, stdout: Any) -> None:
    stdout.write(f"  TERYT: {load_terc(reference.TERC)} units from {reference.TERC.name} (shipped with the package)")

    wup = _org(
        "wup-bialystok",
        "Wojewódzki Urząd Pracy w Białymstoku",
        Organisation.Kind.REGION_OFFICE,
        None,
        short_name="WUP w Białymstoku",
        seat_locative="w Białymstoku",
        email="kontakt@wup.example.pl",
        phone="9510",
    )
    wup.territory.set(TerritorialUnit.objects.filter(code="20"))
    Location.objects.get_or_create(
        organisation=wup,
        name="Siedziba WUP",
        defaults={"street": "ul. Pogodna 22", "postal_code": "15-354", "city": "Białystok", "is_main": True},
    )
    _hours(wup, dt.time(7, 30), dt.time(15, 30))
    for code, town, where, powiaty, street, postal in COUNTY_OFFICES:
        pup = _org(
            code,
            f"Powiatowy Urząd Pracy {where}",
            Organisation.Kind.COUNTY_OFFICE,
            wup,
            short_name=f"PUP {where}",
            seat_locative=where,
            email=f"{code}@praca.example.pl",
            phone="9524",
        )
        pup.territory.set(TerritorialUnit.objects.filter(code__in=powiaty))
        Location.objects.update_or_create(
            organisation=pup,
            is_main=True,
            defaults={"name": f"PUP {where}", "street": street, "postal_code": postal, "city": town},
        )
        _hours(pup, dt.time(7, 30), dt.time(15, 30))
        for suffix, dept_name in PUP_DEPARTMENTS:
            _org(
                f"{code}-{suffix}",
                dept_name,
                Organisation.Kind.DEPARTMENT,
                pup,
                short_name=f"{dept_name} — PUP {where}",
                seat_locative=where,
            )

    lodz = _org(
        "lodz",
        "Urząd Miasta Łodzi",
        Organisation.Kind.CITY,
        None,
        short_name="Łódź",
        seat_locative="w Łodzi",
        phone="42 638 44 44",
        email="kontakt@lodz.example.pl",
        open311_public=True,  # the city's reports are public; the labour offices are no Open311 jurisdiction
    )
    lodz.territory.set(TerritorialUnit.objects.filter(code="1061"))
    Location.objects.get_or_create(
        organisation=lodz,
        name="Urząd Miasta Łodzi",
        defaults={
            "street": "ul. Piotrkowska 104",
            "postal_code": "90-926",
            "city": "Łódź",
            "is_main": True,
            "latitude": "51.765300",
            "longitude": "19.457600",
        },
    )
    for code, name, kind in CITY_UNITS:
        unit = _org(code, name, kind, lodz, seat_locative="w Łodzi")
        unit.territory.set(TerritorialUnit.objects.filter(code="1061"))
        _hours(unit, dt.time(8), dt.time(16))
    _org(
        "agencja-praca-plus",
        "Agencja Zatrudnienia Praca Plus sp. z o.o.",
        Organisation.Kind.AGENCY,
        None,
        short_name="Praca Plus",
    )

    for username, first, last, roles, superuser in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@okienko.example.pl")
            user.set_password(DEMO_PASSWORD)
            user.is_staff = superuser
            user.is_superuser = superuser
            user.save()
        for org_code, role in roles:
            org = Organisation.objects.get(code=org_code)
            if not Membership.objects.filter(user=user, organisation=org, role=role).exists():
                actions.grant_role(actor=None, user=user, organisation=org, role=role)
    stdout.write(f"  {Organisation.objects.count()} organisations, {User.objects.count()} staff")

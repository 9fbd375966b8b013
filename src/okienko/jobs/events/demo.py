"""Demo trainings and job fairs (issue 19, item 7): a region-wide training and job fair of WUP
Białystok and trainings and an information day of PUP Białystok and PUP Łomża, published (their
announcements go to the matching demo job seekers through the worker). Walk them as
``konsultant.bialystok`` (PUP items) or ``konsultant.wup`` (region-wide items). Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.core.actors import SystemActor
from okienko.jobs.events import actions
from okienko.jobs.events.models import Event, Training

VERSION = 1
DEMO = SystemActor("demo")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def load(stdout: Any = None) -> None:
    offices = {o.code: o for o in Organisation.objects.filter(code__in=["wup-bialystok", "pup-bialystok", "pup-lomza"])}
    if len(offices) < 3:
        if stdout:
            stdout.write("demo: trainings skipped (the accounts demo's labour offices are missing)")
        return
    if Training.objects.filter(office__in=offices.values()).exists():
        return
    today = clock.local_now().date()
    trainings = [
        (
            "wup-bialystok",
            {
                "title": "Spawanie metodą MAG (135) z egzaminem UDT",
                "provider": "Podlaskie Centrum Kształcenia Zawodowego",
                "description": "<p>Kurs dla osób bezrobotnych z całego województwa: teoria, zajęcia praktyczne "
                "i egzamin przed Urzędem Dozoru Technicznego.</p>",
                "start_date": today + dt.timedelta(days=21),
                "end_date": today + dt.timedelta(days=60),
                "hours": 150,
                "place_locality": "Białystok",
                "place_teryt": "2061011",
                "cost": Decimal("0"),
                "funding": "esf",
                "occupations": ["721204"],
                "capacity": 16,
                "registration_deadline": today + dt.timedelta(days=14),
            },
        ),
        (
            "pup-bialystok",
            {
                "title": "Kierowca wózków jezdniowych z napędem silnikowym",
                "provider": "Ośrodek Szkoleniowy Logistyk",
                "description": "<p>Obsługa wózków widłowych i wymiana butli gazowych, z egzaminem UDT.</p>",
                "start_date": today + dt.timedelta(days=10),
                "end_date": today + dt.timedelta(days=17),
                "hours": 67,
                "place_locality": "Białystok",
                "place_teryt": "2061011",
                "cost": Decimal("0"),
                "funding": "voucher",
                "occupations": ["834401"],
                "capacity": 12,
                "registration_deadline": today + dt.timedelta(days=7),
            },
        ),
        (
            "pup-bialystok",
            {
                "title": "Prawo jazdy kat. C z kwalifikacją wstępną",
                "provider": "Szkoła Jazdy Podlasie",
                "description": "<p>Kurs prawa jazdy kategorii C z kwalifikacją wstępną przyspieszoną.</p>",
                "start_date": today + dt.timedelta(days=30),
                "end_date": today + dt.timedelta(days=90),
                "hours": 200,
                "place_locality": "Białystok",
                "place_teryt": "2061011",
                "cost": Decimal("0"),
                "funding": "labour_fund",
                "occupations": ["833203"],
                "capacity": 10,
                "registration_deadline": today + dt.timedelta(days=21),
            },
        ),
        (
            "pup-lomza",
            {
                "title": "Obsługa kas fiskalnych i programów magazynowych (online)",
                "provider": "Centrum Szkoleń Zdalnych",
                "description": "<p>Zajęcia przez internet, 4 godziny dziennie.</p>",
                "start_date": today + dt.timedelta(days=5),
                "end_date": today + dt.timedelta(days=12),
                "hours": 24,
                "online": True,
                "cost": Decimal("450"),
                "funding": "participant",
                "occupations": ["522301", "432103"],
                "capacity": 30,
            },
        ),
    ]
    for code, values in trainings:
        item = actions.create_training(actor=DEMO, office=offices[code], values=values)
        actions.publish(actor=DEMO, item=item)
    fair_day = today + dt.timedelta(days=18)
    events = [
        (
            "wup-bialystok",
            {
                "title": "Podlaskie Targi Pracy",
                "kind": "job_fair",
                "description": "<p>Ponad 40 pracodawców z województwa, doradcy zawodowi, EURES.</p>",
                "starts_at": _at(fair_day, 10),
                "ends_at": _at(fair_day, 15),
                "address": "Białystok, ul. Pogodna 22, hala widowiskowa",
                "place_teryt": "2061011",
                "occupations": ["833203", "834401", "721204", "522301"],
                "capacity": 500,
            },
        ),
        (
            "pup-lomza",
            {
                "title": "Dzień informacyjny: bon szkoleniowy i KFS",
                "kind": "info_day",
                "description": "<p>Jak skorzystać z bonu szkoleniowego i Krajowego Funduszu Szkoleniowego.</p>",
                "starts_at": _at(today + dt.timedelta(days=8), 11),
                "ends_at": _at(today + dt.timedelta(days=8), 13),
                "online": True,
                "online_link": "https://spotkania.example.pl/pup-lomza/bon",
                "occupations": [],
                "capacity": 100,
            },
        ),
    ]
    for code, values in events:
        event = actions.create_event(actor=DEMO, office=offices[code], values=values)
        actions.publish(actor=DEMO, item=event)
    if stdout:
        stdout.write(f"demo: {Training.objects.count()} trainings, {Event.objects.count()} job fairs and events")

"""Builders for the trainings-and-events tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.jobs.events import actions
from okienko.jobs.events.models import Event, Training
from tests.jobs.helpers import TEST


def training_values(**overrides: Any) -> dict[str, Any]:
    start = clock.local_now().date() + dt.timedelta(days=14)
    base: dict[str, Any] = {
        "title": "Kurs prawa jazdy kat. C dla kierowców",
        "provider": "Ośrodek Szkolenia Kierowców Test",
        "description": "<p>Kurs z egzaminem.</p><script>alert(1)</script>",
        "start_date": start,
        "end_date": start + dt.timedelta(days=20),
        "hours": 120,
        "place_locality": "Białystok",
        "place_teryt": "2061011",
        "cost": Decimal("0"),
        "funding": "voucher",
        "occupations": ["833201"],
        "capacity": 10,
        "registration_deadline": start - dt.timedelta(days=2),
    }
    base.update(overrides)
    return base


def event_values(**overrides: Any) -> dict[str, Any]:
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=10)
    base: dict[str, Any] = {
        "title": "Targi pracy w Białymstoku",
        "kind": "job_fair",
        "description": "<p>Pracodawcy z regionu.</p>",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=4),
        "address": "Białystok, ul. Pogodna 22",
        "occupations": ["833201"],
        "capacity": 50,
    }
    base.update(overrides)
    return base


def training(office: Organisation, *, publish: bool = True, **overrides: Any) -> Training:
    item = actions.create_training(actor=TEST, office=office, values=training_values(**overrides))
    if publish:
        actions.publish(actor=TEST, item=item)
    return item


def event(office: Organisation, *, publish: bool = True, **overrides: Any) -> Event:
    item = actions.create_event(actor=TEST, office=office, values=event_values(**overrides))
    if publish:
        actions.publish(actor=TEST, item=item)
    return item

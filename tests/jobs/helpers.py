"""Builders for the job-offer tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from okienko.accounts.models import Organisation
from okienko.clients.identifiers import nip_checksum
from okienko.core.actors import SystemActor
from okienko.jobs import actions
from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.states import EmployerStatus, OfferOrigin

TEST = SystemActor("test")
_n = [100]


def new_nip() -> str:
    while True:
        _n[0] += 1
        first = f"{526 + _n[0] // 1_000_000:03d}{_n[0] % 1_000_000:06d}"
        check = nip_checksum(first)
        if check != 10:
            return first + str(check)


def employer(office: Organisation, *, verified: bool = True, name: str = "Hurtownia Test Sp. z o.o.") -> Employer:
    found = actions.register_employer(
        actor=TEST, office=office, name=name, nip=new_nip(), locality="Białystok", teryt_code="2061011"
    )
    if verified:
        actions.set_employer_status(actor=TEST, employer=found, status=EmployerStatus.VERIFIED)
    return found


def values(**overrides: Any) -> dict[str, Any]:
    today = dt.date.today()
    base: dict[str, Any] = {
        "title": "Kierowca samochodu ciężarowego (k/m)",
        "occupation_code": "833201",
        "place_teryt": "2061011",
        "place_locality": "Białystok",
        "latitude": 53.1325,
        "longitude": 23.1688,
        "contract_type": "employment_indefinite",
        "working_time": Decimal("1.00"),
        "pay_min": Decimal("6000"),
        "pay_max": Decimal("8000"),
        "description": "<p>Przewóz towarów po Polsce. Prawo jazdy kat. C+E.</p>",
        "driving_licences": ["C", "CE"],
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=30),
    }
    base.update(overrides)
    return base


def published(office: Organisation, emp: Employer | None = None, **overrides: Any) -> JobOffer:
    emp = emp or employer(office)
    offer = actions.create_offer(
        actor=TEST, employer=emp, office=office, origin=OfferOrigin.OFFICE, values=values(**overrides)
    )
    return actions.publish_office_offer(actor=TEST, offer=offer)


def approved(office: Organisation, emp: Employer, **overrides: Any) -> JobOffer:
    """An employer's offer through the moderation queue (verified only if the employer is)."""
    offer = actions.create_offer(actor=TEST, employer=emp, values=values(**overrides))
    actions.submit_offer(actor=TEST, offer=offer)
    return actions.approve_offer(actor=TEST, offer=offer)

"""Builders for clients in tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from okienko.accounts.models import Organisation
from okienko.clients import actions, identifiers
from okienko.clients.models import Client

_serial = itertools.count(1)


def pesel(year: int = 1985, month: int = 3, day: int = 14, *, female: bool = False) -> str:
    return identifiers.make_pesel(dt.date(year, month, day), next(_serial), female=female)


def person(office: Organisation, last_name: str = "Kowalski", first_name: str = "Jan", **extra: Any) -> Client:
    extra.setdefault("accept_duplicates", True)
    return actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.PERSON, first_name=first_name, last_name=last_name, **extra
    )


def offices() -> tuple[Organisation, Organisation, Organisation]:
    """The two county offices and the city unit of ``factories.organisation_tree``."""
    return (
        Organisation.objects.get(code="pup-a"),
        Organisation.objects.get(code="pup-b"),
        Organisation.objects.get(code="city-unit"),
    )

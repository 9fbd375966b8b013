"""A small city with a contact centre and two units, services and staff for case tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from okienko.accounts.models import Organisation, TerritorialUnit, User
from okienko.accounts.roles import Role
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, ServiceQuestionChoice
from tests import factories


@dataclass
class City:
    city: Organisation
    centre: Organisation
    roads: Organisation
    green: Organisation
    other_city: Organisation
    pothole: Service
    tree: Service
    consultant: User
    expert: User
    green_expert: User
    supervisor: User
    outsider: User
    gmina: TerritorialUnit


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assertions compare the English source messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def frozen() -> Any:
    # Monday 23 November 2026, 10:00 in Warsaw
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def city(db: None, make_user: Any) -> City:
    gmina = factories.territory("1061011", "Łódź", TerritorialUnit.Kind.GMINA)
    city = Organisation.objects.create(code="ldz", name="Łódź", kind=Organisation.Kind.CITY)
    centre = Organisation.objects.create(
        code="ldz-ckm", name="Contact centre", kind=Organisation.Kind.CONTACT_CENTRE, parent=city
    )
    roads = Organisation.objects.create(code="ldz-roads", name="Roads", kind=Organisation.Kind.UNIT, parent=city)
    green = Organisation.objects.create(code="ldz-green", name="Greenery", kind=Organisation.Kind.UNIT, parent=city)
    other = Organisation.objects.create(code="other", name="Other city", kind=Organisation.Kind.CITY)
    category = ServiceCategory.objects.create(organisation=city, code="streets", name="Streets")
    pothole = Service.objects.create(
        organisation=city,
        code="pothole",
        category=category,
        public_name="Pothole",
        responsible_unit=roads,
        sla_basis=Service.SlaBasis.WORKING_DAYS,
        response_due=1,
        resolve_due=5,
        location_required=True,
    )
    size = ServiceQuestion.objects.create(
        service=pothole, code="size", label="Size", datatype="singlevaluelist", required=True
    )
    ServiceQuestionChoice.objects.create(question=size, key="small", name="small")
    ServiceQuestionChoice.objects.create(question=size, key="large", name="large")
    tree = Service.objects.create(
        organisation=city,
        code="tree",
        category=category,
        public_name="Fallen tree",
        sla_basis=Service.SlaBasis.WORKING_HOURS,
        response_due=2,
        resolve_due=8,
    )
    return City(
        city=city,
        centre=centre,
        roads=roads,
        green=green,
        other_city=other,
        pothole=pothole,
        tree=tree,
        consultant=make_user("consultant", roles=[(centre, Role.CONSULTANT)]),
        expert=make_user("expert", roles=[(roads, Role.EXPERT)]),
        green_expert=make_user("green", roles=[(green, Role.EXPERT)]),
        supervisor=make_user("supervisor", roles=[(city, Role.SUPERVISOR)]),
        outsider=make_user("outsider", roles=[(other, Role.EXPERT)]),
        gmina=gmina,
    )


POINT = {"latitude": "51.759", "longitude": "19.457", "address": "Piotrkowska 104", "gmina_code": "1061011"}


def open_pothole(c: City, **overrides: Any) -> Any:
    from okienko.cases.actions import open_case

    kwargs: dict[str, Any] = {
        "actor": c.consultant,
        "organisation": c.city,
        "service": c.pothole,
        "description": "Deep pothole in the road",
        "channel": "phone",
        "reporter": {"name": "Jan Kowalski", "phone": "600100200"},
        "location": POINT,
        "answers": {"size": "large"},
    }
    kwargs.update(overrides)
    return open_case(**kwargs)

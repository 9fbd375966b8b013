"""Duplicate checks never disclose another data controller's clients (issue 10, defect 1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.api.models import Scope
from okienko.clients import actions
from okienko.clients.errors import DuplicatesFound
from okienko.clients.models import Client
from tests.clients.helpers import offices, person, pesel

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]


@pytest.fixture
def city_consultant(region: Organisation, make_user: MakeUser) -> User:
    return make_user("konsultant.miasto", roles=[(Organisation.objects.get(code="city"), Role.CONSULTANT)])


def test_city_registration_with_a_labour_office_clients_pesel_reveals_nothing_and_proceeds(
    city_consultant: User,
) -> None:
    pup_a, _, city_unit = offices()
    number = pesel()
    labour_client = person(pup_a, "Nowak", pesel=number, phones=["601 234 567"], emails=["jan@example.pl"])
    registered = actions.register_client(
        actor=city_consultant,
        home_office=city_unit,
        first_name="Jan",
        last_name="Nowak",
        pesel=number,
        phones=["601234567"],
        emails=["jan@example.pl"],
    )
    assert registered.pk != labour_client.pk
    assert Client.objects.filter(pesel=number).count() == 2


def test_city_desk_form_shows_no_foreign_office(city_consultant: User, client: HttpClient) -> None:
    pup_a, _, _ = offices()
    number = pesel()
    person(pup_a, "Nowak", pesel=number)
    client.force_login(city_consultant)
    response = client.post(
        "/desk/clients/new/",
        {
            "kind": "person",
            "status": "resident",
            "first_name": "Jan",
            "last_name": "Nowak",
            "pesel": number,
            "home_office": Organisation.objects.get(code="city").pk,
        },
    )
    assert response.status_code == 302
    assert "PUP" not in response.content.decode()


def test_api_409_never_carries_a_foreign_controllers_uuid(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    pup_a, _, city_unit = offices()
    number = pesel()
    labour_client = person(pup_a, "Nowak", pesel=number)
    api = token_client(
        Organisation.objects.get(code="city"), [Scope.CLIENTS_WRITE, Scope.CLIENTS_READ], Role.CONSULTANT
    )
    response = api.post(
        "/api/v1/clients/",
        {"kind": "person", "first_name": "Jan", "last_name": "Nowak", "pesel": number, "home_office": city_unit.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert str(labour_client.uuid) not in response.content.decode()


def test_inside_one_controller_an_invisible_duplicate_is_named_only_by_its_office(
    region: Organisation, make_user: MakeUser, token_client: Callable[..., APIClient]
) -> None:
    pup_a, pup_b, _ = offices()
    number = pesel()
    other_county = person(pup_b, "Nowak", pesel=number)
    consultant = make_user("konsultant.a", roles=[(pup_a, Role.CONSULTANT)])
    with pytest.raises(DuplicatesFound) as exc:
        actions.register_client(actor=consultant, home_office=pup_a, first_name="Jan", last_name="Nowak", pesel=number)
    assert exc.value.blocking is True
    assert [(d.client, d.visible) for d in exc.value.duplicates] == [(other_county, False)]
    api = token_client(pup_a, [Scope.CLIENTS_WRITE, Scope.CLIENTS_READ], Role.CONSULTANT)
    response = api.post(
        "/api/v1/clients/",
        {"kind": "person", "first_name": "Jan", "last_name": "Nowak", "pesel": number, "home_office": pup_a.code},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["duplicates"] == []
    assert body["other_offices"] == [str(pup_b)]
    assert str(other_county.uuid) not in response.content.decode()

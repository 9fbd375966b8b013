from collections.abc import Callable

import pytest
from django.http import Http404

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients.access import access_client
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from tests.clients.helpers import offices, person

MakeUser = Callable[..., User]
Trio = tuple[Client, Client, Client]


@pytest.fixture
def clients(region: Organisation) -> tuple[Client, Client, Client]:
    pup_a, pup_b, city_unit = offices()
    return person(pup_a, "Anna"), person(pup_b, "Bogdan"), person(city_unit, "Celina")


def test_county_consultant_sees_only_own_county(clients: Trio, make_user: MakeUser) -> None:
    user = make_user("k", roles=[(offices()[0], Role.CONSULTANT)])
    assert list(Client.objects.visible_to(user)) == [clients[0]]


def test_wup_consultant_sees_every_county_office(clients: Trio, make_user: MakeUser, region: Organisation) -> None:
    user = make_user("k", roles=[(region, Role.CONSULTANT)])
    assert sorted(c.pk for c in Client.objects.visible_to(user)) == sorted([clients[0].pk, clients[1].pk])


def test_city_consultant_sees_only_city_clients(clients: Trio, make_user: MakeUser) -> None:
    city = Organisation.objects.get(code="city")
    user = make_user("k", roles=[(city, Role.CONSULTANT)])
    assert list(Client.objects.visible_to(user)) == [clients[2]]


def test_role_without_client_permission_sees_nobody(clients: Trio, make_user: MakeUser, region: Organisation) -> None:
    user = make_user("k", roles=[(region, Role.ANALYST)])
    assert list(Client.objects.visible_to(user)) == []


def test_access_client_logs_the_access(clients: Trio, make_user: MakeUser) -> None:
    user = make_user("k", roles=[(offices()[0], Role.CONSULTANT)])
    assert access_client(user, clients[0].uuid, purpose="desk") == clients[0]
    entry = AuditRecord.objects.get(kind=AuditRecord.Kind.ACCESS)
    assert (entry.action, entry.actor_id, entry.object_id, entry.data) == (
        "personal_data.viewed",
        user.pk,
        str(clients[0].pk),
        {"purpose": "desk"},
    )


def test_access_to_another_countys_client_is_404_and_audited(clients: Trio, make_user: MakeUser) -> None:
    user = make_user("k", roles=[(offices()[0], Role.CONSULTANT)])
    with pytest.raises(Http404):
        access_client(user, clients[1].uuid)
    entry = AuditRecord.objects.get(action="clients.access_denied")
    assert (entry.kind, entry.actor_id, entry.object_id) == (AuditRecord.Kind.SECURITY, user.pk, str(clients[1].pk))
    assert not AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS).exists()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_access_to_unknown_client_is_404(clients: Trio, make_user: MakeUser, bad_id: str) -> None:
    user = make_user("k", roles=[(offices()[0], Role.CONSULTANT)])
    with pytest.raises(Http404):
        access_client(user, bad_id)

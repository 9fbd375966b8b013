"""Every list endpoint of /api/v1 and Open311's GET services / GET requests answer with a number of
queries that does not grow with the number of rows (no query per row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.accounts.tokens import Scope
from okienko.cases import actions as case_actions
from okienko.catalogue.models import Service, ServiceCategory
from okienko.integrations.webhooks import urlguard
from okienko.integrations.webhooks.actions import subscribe_webhook
from okienko.interactions import actions as interaction_actions
from tests.clients.helpers import person

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/organisations/",
    "/api/v1/users/",
    "/api/v1/cases/",
    "/api/v1/clients/",
    "/api/v1/interactions/",
    "/api/v1/catalogue/services/",
    "/api/v1/catalogue/categories/",
    "/api/v1/webhooks/subscriptions/",
    "/api/v1/webhooks/deliveries/",
]


class World:
    """Rows of every listed kind in the city, added ``n`` at a time."""

    def __init__(self, make_user: Callable[..., User]) -> None:
        self.city = Organisation.objects.get(code="city")
        self.unit = Organisation.objects.get(code="city-unit")
        self.staff = make_user("kierownik", roles=[(self.city, Role.SUPERVISOR)])
        self.added = 0
        self.make_user = make_user

    def add(self, n: int) -> None:
        for _ in range(n):
            i = self.added = self.added + 1
            category = ServiceCategory.objects.create(organisation=self.city, code=f"cat-{i}", name=f"Kategoria {i}")
            service = Service.objects.create(
                organisation=self.city,
                code=f"usluga-{i}",
                category=category,
                public_name=f"Usługa {i}",
                responsible_unit=self.unit,
                publication=Service.Publication.REDACTED,
            )
            client = person(self.city, f"Nowak{'a' * i}")
            case_actions.open_case(
                actor=self.staff,
                organisation=self.city,
                service=service,
                description=f"Opis {i}",
                channel="phone",
                client=client,
                location={"latitude": "51.76", "longitude": "19.45", "address": f"Piotrkowska {i}"},
            )
            interaction_actions.record_interaction(
                actor=self.staff, channel="phone", organisation=self.city, client=client, service=service
            )
            Organisation.objects.create(
                code=f"unit-{i}", name=f"Wydział {i}", kind=Organisation.Kind.UNIT, parent=self.city
            )
            self.make_user(f"ekspert{i}", roles=[(self.unit, Role.EXPERT)])
            subscribe_webhook(
                actor=self.staff,
                organisation=self.city,
                name=f"System {i}",
                url=f"https://hooks{i}.example.pl/okienko",
                topics=["case.created"],
            )


@pytest.fixture
def world(region: Organisation, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(urlguard, "resolve", lambda host, port: ["203.0.113.10"])
    city = Organisation.objects.get(code="city")
    city.open311_public = True
    city.save()
    return World(make_user)


def count(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return len(queries)


@pytest.mark.parametrize("url", LISTS)
def test_api_list_queries_do_not_grow_with_the_rows(
    world: World, token_client: Callable[..., APIClient], url: str
) -> None:
    api = token_client(world.city, list(Scope.values), Role.SUPERVISOR, rate_limit=100_000)
    api.get(url)  # the first use of a token notes its time once a minute
    world.add(2)
    few = count(lambda: api.get(url))
    world.add(6)
    many = count(lambda: api.get(url))
    assert many == few


@pytest.mark.parametrize("url", ["/open311/v2/services.json", "/open311/v2/requests.json", "/open311/v2/requests.xml"])
def test_open311_reads_do_not_grow_with_the_rows(world: World, client: HttpClient, url: str) -> None:
    client.get(url, {"jurisdiction_id": "city"})  # per-process memos of keys and services warm up
    world.add(2)
    few = count(lambda: client.get(url, {"jurisdiction_id": "city"}))
    world.add(6)
    many = count(lambda: client.get(url, {"jurisdiction_id": "city"}))
    assert many == few

"""Report data over the REST API (issue 20, item 9): scoped like the dashboard, errors as problems."""

from __future__ import annotations

from typing import Any

import time_machine
from hypothesis import given
from rest_framework.test import APIClient

from okienko.accounts.roles import Role
from tests.cases.conftest import City
from tests.portal.test_fuzzing import HOSTILE, SETTINGS
from tests.reports.test_dashboard import figures

CASES = "/api/v1/reports/cases/"
CONTACTS = "/api/v1/reports/contacts/"
NOW = "2026-11-30 09:00:00+00:00"


def get(client: APIClient, url: str, **query: str) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.get(url, query)


def test_a_token_with_reports_read_sees_its_subtree(city: City, token_client: Any) -> None:
    figures(city)
    client = token_client(city.city, ["reports:read"])
    body = get(client, CASES, group_by="unit").json()
    assert body["period"] == {"since": "2026-11-01", "until": "2026-11-30"}
    assert body["total"]["opened"] == 2
    assert [line["label"] for line in body["results"]] == ["Roads"]
    contacts = get(client, CONTACTS, group_by="channel").json()
    assert contacts["total"]["contacts"] == 4
    assert contacts["total"]["first_contact_percent"] == 75
    assert {line["key"] for line in contacts["results"]} == {"phone", "email"}
    hours = get(client, CONTACTS, group_by="hour").json()["results"]
    assert len(hours) == 24
    assert hours[10]["contacts"] == 4


def test_a_token_of_a_unit_sees_only_the_unit(city: City, token_client: Any) -> None:
    figures(city)
    client = token_client(city.roads, ["reports:read"])
    assert get(client, CONTACTS).json()["total"]["contacts"] == 1
    assert get(client, CASES).json()["total"]["opened"] == 2
    assert get(client, CASES, organisation="ldz-ckm").status_code == 400


def test_another_citys_token_never_sees_these_figures(city: City, token_client: Any) -> None:
    figures(city)
    client = token_client(city.other_city, ["reports:read"])
    body = get(client, CONTACTS, group_by="organisation").json()
    assert body["total"]["contacts"] == 8883  # its own rollup row and its own contact only
    assert {line["label"] for line in body["results"]} == {"Other city"}
    assert get(client, CASES).json()["total"]["opened"] == 7771


def test_scopes_and_roles_are_required(city: City, token_client: Any, api: APIClient) -> None:
    assert get(token_client(city.city, ["cases:read"]), CASES).status_code == 403
    consultant = token_client(city.centre, ["reports:read"], role=Role.CONSULTANT)
    response = get(consultant, CONTACTS)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert get(api, CASES).status_code in (401, 403)


def test_staff_figures_only_for_supervisors(city: City, make_user: Any, api: APIClient) -> None:
    figures(city)
    analyst = make_user("analyst", roles=[(city.city, Role.ANALYST)])
    api.force_authenticate(analyst)
    assert get(api, CONTACTS, group_by="staff").json()["results"] == []
    api.force_authenticate(city.supervisor)
    assert len(get(api, CONTACTS, group_by="staff").json()["results"]) == 2


def test_bad_parameters_are_problems_with_reasons(city: City, token_client: Any) -> None:
    client = token_client(city.city, ["reports:read"])
    for query, field in (
        ({"since": "2016-01-01", "until": "2026-01-01"}, "period"),
        ({"since": "30.11.2026"}, "period"),
        ({"group_by": "description"}, "group_by"),
        ({"organisation": "other"}, "organisation"),
    ):
        response = get(client, CASES, **query)
        assert response.status_code == 400, query
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in response.json()["errors"], query


@SETTINGS
@given(text=HOSTILE)
def test_hostile_parameters_never_fail(city: City, text: str) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(city.supervisor)
    for url in (CASES, CONTACTS):
        for name in ("since", "until", "group_by", "organisation"):
            assert client.get(url, {name: text}).status_code in (200, 400)

"""Issue 12, items 1 and 10: the desk's search box finds a case by its reporter's phone in any
notation and by the e-mail whatever its letter case; the analyst reads the cases of the scope and
changes none of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okienko.accounts.roles import Role
from okienko.cases.models import Case
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db

STORED_PHONES = ["+48 601 234 567", "601-234-567", "601234567", "(0048) 601 234 567", "(+48) 601 234 567"]
TYPED_PHONES = ["+48 601 234 567", "601-234-567", "601 234 567", "601234567", "+48601234567", "(+48) 601-234-567"]


def _found(client: Client, query: str) -> set[str]:
    response = client.get("/desk/search/", {"q": query})
    if response.status_code == 302:  # one hit opens the case
        return {Case.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[1]).number}
    return {hit.label for _heading, hits in response.context["groups"] for hit in hits}


@pytest.mark.parametrize("typed", TYPED_PHONES)
def test_the_reporters_phone_finds_the_cases_in_any_notation(
    city: City, frozen: Any, client: Client, typed: str
) -> None:
    cases = {open_pothole(city, reporter={"name": "Jan", "phone": stored}).number for stored in STORED_PHONES}
    open_pothole(city, reporter={"name": "Ola", "phone": "601 234 568"})  # one digit off
    client.force_login(city.consultant)
    assert _found(client, typed) == cases


@pytest.mark.parametrize("typed", ["anna.nowak@example.org", "Anna.Nowak@Example.ORG", " ANNA.NOWAK@EXAMPLE.ORG "])
def test_the_reporters_email_finds_the_case_whatever_its_letter_case(
    city: City, frozen: Any, client: Client, typed: str
) -> None:
    case = open_pothole(city, reporter={"name": "Anna", "email": "Anna.Nowak@example.org"})
    open_pothole(city, reporter={"name": "Ola", "email": "anna.nowakowska@example.org"})
    client.force_login(city.consultant)
    assert _found(client, typed) == {case.number}


def test_a_case_of_another_city_is_not_found_by_its_reporters_phone(city: City, frozen: Any, client: Client) -> None:
    open_pothole(city, reporter={"name": "Jan", "phone": "601 234 567"})
    client.force_login(city.outsider)
    assert _found(client, "601-234-567") == set()


WRITES = [
    ("status/", {"action": "update", "message": "x", "to_status": "in_progress"}),
    ("status/", {"action": "status", "to_status": "in_progress"}),
    ("status/", {"action": "resolve", "message": "done"}),
    ("note/", {"body": "x", "visibility": "internal"}),
    ("party/", {"role": "witness", "name": "Someone", "phone": "600 100 200"}),
    ("assign/", {"take": "1"}),
    ("merge/", {"into": "LDZ/2026/000001"}),
    ("split/", {"unit": "1", "description": "part"}),
    ("publication/", {"publish": "1"}),
]


@pytest.fixture
def analyst(city: City, make_user: Any) -> Any:
    return make_user("analyst", roles=[(city.city, Role.ANALYST)])


def test_the_analyst_reads_the_case_without_any_form_that_changes_it(
    city: City, frozen: Any, client: Client, analyst: Any
) -> None:
    case = open_pothole(city)
    client.force_login(analyst)
    assert _found(client, case.number.replace("/", "-")) == {case.number}
    response = client.get(f"/desk/cases/{case.uuid}/")
    assert response.status_code == 200
    assert response.context["read_only"] is True
    page = response.content.decode()
    assert case.number in page
    for path, _data in WRITES:
        assert f'action="/desk/cases/{case.uuid}/{path}"' not in page


@pytest.mark.parametrize(("path", "data"), WRITES, ids=[f"{p}{d.get('action', '')}" for p, d in WRITES])
def test_the_analyst_changes_nothing(
    city: City, frozen: Any, client: Client, analyst: Any, path: str, data: dict[str, Any]
) -> None:
    case = open_pothole(city)
    before = (case.version, case.status, case.notes.count(), case.parties.count(), case.assigned_to_id)
    client.force_login(analyst)
    response = client.post(f"/desk/cases/{case.uuid}/{path}", {**data, "version": case.version})
    assert response.status_code in (302, 403, 404)
    case = Case.objects.get(pk=case.pk)
    assert (case.version, case.status, case.notes.count(), case.parties.count(), case.assigned_to_id) == before


def test_the_analyst_sees_no_case_outside_the_scope(city: City, frozen: Any, client: Client, make_user: Any) -> None:
    case = open_pothole(city)
    elsewhere = make_user("analyst.other", roles=[(city.other_city, Role.ANALYST)])
    client.force_login(elsewhere)
    assert client.get(f"/desk/cases/{case.uuid}/").status_code in (403, 404)
    assert _found(client, case.number) == set()
    assert list(client.get("/desk/cases/scope/").context["rows"]) == []

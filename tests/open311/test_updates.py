"""GET requests/{id}/updates.{xml,json}: the public history of a service request (extension)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.cases import actions
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.integrations.open311 import formats
from okienko.integrations.open311.updates import language_of

BASE = "/open311/v2/"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def supervisor(make_user: Callable[..., User], city: Organisation) -> User:
    return make_user("kierownik", roles=[(city, "supervisor")])


@pytest.fixture
def handled(catalogue: dict[str, Service], supervisor: User, city: Organisation) -> Case:
    """Opened, taken into work with a public note, an internal note, an assignment, then resolved."""
    with time_machine.travel(NOW, tick=False):
        case = actions.open_case(
            actor=supervisor,
            organisation=city,
            service=catalogue["pothole"],
            description="Dziura",
            channel="phone",
            answers={"size": "40"},
            location={"latitude": "51.759", "longitude": "19.456"},
        )
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        actions.transition_case(actor=supervisor, case=case, to_status="in_progress", note="Ekipa wyjechała")
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        actions.add_note(actor=supervisor, case=case, body="Tajna notatka o kierowniku", public=False)
        actions.assign_case(actor=supervisor, case=case, unit=Organisation.objects.get(code="city"))
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        actions.resolve_case(actor=supervisor, case=case, message="Załatane")
    case.refresh_from_db()
    return case


def _url(case: Case, fmt: str) -> str:
    return f"{BASE}requests/{case.number.replace('/', '-')}/updates.{fmt}"


def test_json_lists_the_public_history_oldest_first(client: Client, handled: Case) -> None:
    response = client.get(_url(handled, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    request_id = handled.number.replace("/", "-")
    rows = [
        (u["type"], u["status"], u["external_status_code"], u["description"], u["updated_datetime"])
        for u in response.json()
    ]
    assert rows == [
        ("opened", "open", "assigned", "Request received.", "2026-03-02T10:30:00+01:00"),
        ("status", "open", "in_progress", "Status changed: in progress", "2026-03-02T11:30:00+01:00"),
        ("note", "open", "in_progress", "Ekipa wyjechała", "2026-03-02T11:30:00+01:00"),
        ("status", "closed", "resolved", "Status changed: resolved", "2026-03-02T13:30:00+01:00"),
        ("note", "closed", "resolved", "Załatane", "2026-03-02T13:30:00+01:00"),
    ]
    assert {u["service_request_id"] for u in response.json()} == {request_id}
    assert len({u["update_id"] for u in response.json()}) == 5


def test_internal_notes_assignments_and_staff_names_are_never_shown(client: Client, handled: Case) -> None:
    body = client.get(_url(handled, "json")).content.decode()
    assert "Tajna" not in body
    assert "kierownik" not in body
    assert "assigned" not in {u["type"] for u in client.get(_url(handled, "json")).json()}


def test_timestamps_are_iso_8601_with_the_offset(client: Client, handled: Case) -> None:
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        actions.reopen_case(actor=None, case=handled, reason="Znów jest dziura", on_client_request=True)
    stamps = [u["updated_datetime"] for u in client.get(_url(handled, "json")).json()]
    assert all(ISO_WITH_OFFSET.match(s) for s in stamps)
    assert stamps[0].endswith("+01:00")  # winter time
    assert stamps[-1] == "2026-07-01T14:00:00+02:00"  # summer time


def test_xml_has_the_same_updates(client: Client, handled: Case) -> None:
    response = client.get(_url(handled, "xml"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?><status_updates><status_update>')
    root, data = formats.parse(response.content, "xml")
    assert root == "status_updates"
    assert data == client.get(_url(handled, "json")).json()


def test_unknown_request_answers_a_404_error_document_in_both_formats(client: Client, catalogue: Any) -> None:
    as_json = client.get(f"{BASE}requests/CITY-2026-999999/updates.json")
    assert as_json.status_code == 404
    assert as_json.json() == [{"code": 404, "description": "service_request_id 'CITY-2026-999999' was not found."}]
    as_xml = client.get(f"{BASE}requests/CITY-2026-999999/updates.xml")
    assert as_xml.status_code == 404
    assert formats.parse(as_xml.content, "xml") == (
        "errors",
        [{"code": "404", "description": "service_request_id 'CITY-2026-999999' was not found."}],
    )


def test_requests_of_internal_services_are_not_published(
    client: Client, catalogue: dict[str, Service], supervisor: User, city: Organisation
) -> None:
    case = actions.open_case(
        actor=supervisor, organisation=city, service=catalogue["internal"], description="x", channel="phone"
    )
    assert client.get(_url(case, "json")).status_code == 404


def test_other_methods_and_formats_are_refused(client: Client, handled: Case) -> None:
    assert client.post(_url(handled, "json")).status_code == 405
    response = client.get(_url(handled, "csv"))
    assert response.status_code == 404
    assert formats.parse(response.content, "xml")[0] == "errors"


def test_unknown_jurisdiction_answers_404(client: Client, handled: Case) -> None:
    response = client.get(_url(handled, "json"), {"jurisdiction_id": "nowhere"})
    assert response.status_code == 404


def test_polish_is_used_when_the_client_asks_for_it(client: Client, handled: Case) -> None:
    response = client.get(_url(handled, "json"), HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "pl"
    assert [u["description"] for u in response.json()][:2] == ["Zgłoszenie przyjęte.", "Zmiana statusu: w toku"]
    missing = client.get(f"{BASE}requests/CITY-2026-999999/updates.json", HTTP_ACCEPT_LANGUAGE="pl")
    assert missing.json()[0]["description"] == "Nie znaleziono zgłoszenia o service_request_id 'CITY-2026-999999'."


def test_english_is_the_default_even_though_the_site_speaks_polish(client: Client, handled: Case) -> None:
    response = client.get(_url(handled, "json"))
    assert response["Content-Language"] == "en"
    assert response.json()[0]["description"] == "Request received."


def test_duplicate_shows_the_request_it_was_joined_with(
    client: Client, handled: Case, catalogue: dict[str, Service], supervisor: User, city: Organisation
) -> None:
    duplicate = actions.open_case(
        actor=supervisor,
        organisation=city,
        service=catalogue["pothole"],
        description="Ta sama dziura",
        channel="web",
        answers={"size": "40"},
    )
    actions.merge_cases(actor=supervisor, case=duplicate, into=handled)
    last = client.get(_url(duplicate, "json")).json()[-1]
    assert (last["type"], last["status"], last["external_status_code"]) == ("merged", "closed", "duplicate")
    assert last["description"] == f"Joined with request {handled.number.replace('/', '-')} about the same matter."


@pytest.mark.parametrize(
    ("header", "expected"),
    [("", "en"), ("pl", "pl"), ("en-GB,pl;q=0.8", "en"), ("de,pl;q=0.5", "pl"), ("pl;q=0,en", "en"), ("fr", "en")],
)
def test_language_negotiation(header: str, expected: str, rf: Any) -> None:
    assert language_of(rf.get("/", HTTP_ACCEPT_LANGUAGE=header)) == expected

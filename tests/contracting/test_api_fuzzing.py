"""Fuzzing Kontraktor's REST API (bounded, derandomised): random bodies for every POST, random
references, orders and query strings, as the agency and as the office. Every answer is below 500,
and every refusal is problem details."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from okienko.contracting import actions
from okienko.contracting.states import ParticipantStatus
from tests.contracting.domain import World, today, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PS = ParticipantStatus
BASE = "/api/v1/contracting/contracts/"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40)
scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), text, st.floats(allow_nan=False))
json_value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)


def body_like(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies with some of the expected members (plausible or not) and some stray ones."""
    return st.fixed_dictionaries({}, optional={**fields, "stray": json_value})


def client_for(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def checked(response: Any) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert "detail" in response.json()


def ready(world: World) -> str:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p, on=today() - dt.timedelta(days=30))
    for status in (PS.ADMITTED, PS.PLAN_AGREED, PS.IN_ACTIVATION):
        actions.change_participant_status(actor=world.agency, participant=p, to=status)
    return p.ref


dates = st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)).map(dt.date.isoformat), text)
event_body = body_like(
    {
        "type": st.sampled_from(["meeting", "training", "placement", "x", ""]) | json_value,
        "occurred_at": st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)).map(lambda d: d.isoformat() + "Z")
        | json_value,
        "details": json_value,
    }
)
placement_body = body_like(
    {
        "employer_nip": st.sampled_from(["5260250274", "1234567890", ""]) | text,
        "position": text,
        "occupation_code": st.sampled_from(["432103", "999999"]) | text,
        "contract_type": st.sampled_from(["employment", "civil", "?"]) | json_value,
        "working_time": st.sampled_from(["1", "0.5", "0", "2", "1e9", "x"]) | json_value,
        "start_date": dates,
        "end_date": dates,
        "verified_by": st.sampled_from(["employer", "zus", "?"]),
    }
)
sharing_body = body_like(
    {
        "direction": st.sampled_from(["office_to_agency", "agency_to_office", "sideways"]),
        "purpose": st.sampled_from(["activation", "monitoring", "nope"]) | text,
        "fields": st.lists(st.sampled_from(["first_name", "pesel", "events", "x y"]), max_size=4) | json_value,
        "participants": st.lists(text, max_size=3) | json_value,
        "valid_from": dates,
        "valid_until": dates,
        "submit": json_value,
    }
)

settlement_body = body_like(
    {
        "period_start": dates | json_value,
        "period_end": dates | json_value,
        "corrects": st.sampled_from(["", "00000000-0000-0000-0000-000000000001"]) | json_value,
        "invoice_reference": text | json_value,
        "note": text | json_value,
    }
)
message_body = body_like(
    {
        "body": text | json_value,
        "participant_ref": st.sampled_from(["", "P-AAAAAAAAAAAAAAAA"]) | text | json_value,
        "messages": st.lists(st.uuids().map(str) | text, max_size=3) | json_value,
        "note": text | json_value,
    }
)


@pytest.mark.slow
@FUZZ
@given(money=settlement_body, message=message_body)
def test_random_settlement_dispute_and_message_bodies_never_fail(world: World, money: Any, message: Any) -> None:
    ref = getattr(world, "_fuzz_ref", None) or ready(world)
    world._fuzz_ref = ref  # type: ignore[attr-defined]  # one participant for every example
    contract = f"{BASE}{world.contract.uuid}/"
    agency, office = client_for(world.agency), client_for(world.office)
    opened = agency.post(f"{contract}settlements/", money, format="json")
    checked(opened)
    found = opened.json().get("uuid") if opened.status_code == 201 else None
    target = f"{contract}settlements/{found or '00000000-0000-0000-0000-000000000002'}/"
    checked(agency.post(target + "submit/", money, format="json"))
    for step in ("return/", "accept/", "pay/"):
        checked(office.post(target + step, money, format="json"))
    checked(agency.get(target))
    checked(agency.post(f"{contract}tranches/{ref}/1/dispute/", message, format="json"))
    checked(agency.post(f"{contract}messages/", message, format="json"))
    checked(office.post(f"{contract}messages/read/", message, format="json"))
    checked(office.get(f"{contract}messages/", {k: str(v)[:40] for k, v in message.items()}))


@pytest.mark.slow
@FUZZ
@given(event=event_body, placement=placement_body, sharing=sharing_body)
def test_random_bodies_never_fail(world: World, event: Any, placement: Any, sharing: Any) -> None:
    ref = getattr(world, "_fuzz_ref", None) or ready(world)
    world._fuzz_ref = ref  # type: ignore[attr-defined]  # one participant for every example
    contract = f"{BASE}{world.contract.uuid}/"
    agency, office = client_for(world.agency), client_for(world.office)
    checked(agency.post(f"{contract}participants/{ref}/events/", event, format="json"))
    checked(agency.post(f"{contract}participants/{ref}/placements/", placement, format="json"))
    checked(office.post(f"{contract}sharing-requests/", sharing, format="json"))
    checked(agency.post(f"{contract}sharing-requests/", sharing, format="json"))
    checked(office.post(f"{contract}tranches/{ref}/1/verify/", event, format="json"))
    checked(office.post(f"{contract}transition/", sharing, format="json"))
    step = {
        "to_status": event.get("type"),
        "exit_reason": placement.get("contract_type"),
        "note": sharing.get("purpose"),
    }
    checked(agency.post(f"{contract}participants/{ref}/transition/", step, format="json"))


@pytest.mark.slow
@FUZZ
@given(
    ref=text,
    order=st.integers(0, 2**40),
    query=st.dictionaries(st.sampled_from(["fields", "purpose", "status", "cursor", "page_size"]), text, max_size=3),
    key=text,
)
def test_random_addresses_and_queries_never_fail(world: World, ref: str, order: int, query: Any, key: str) -> None:
    contract = f"{BASE}{world.contract.uuid}/"
    agency = client_for(world.agency)
    safe = ref.replace("/", "_").replace("?", "_").replace("#", "_") or "_"
    for path in ("", "participants/", "tranches/", "settlements/", "sharing-requests/", "messages/"):
        checked(agency.get(contract + path, query))
    checked(agency.get(f"{contract}participants/{safe}/", query))
    checked(agency.get(f"{contract}participants/{safe}/events/", query))
    checked(agency.post(f"{contract}tranches/{safe}/{order}/claim/", HTTP_IDEMPOTENCY_KEY=key[:250] or "k"))
    checked(agency.post(f"{contract}tranches/{safe}/{order}/dispute/", {"note": key}, format="json"))
    checked(agency.get(f"{contract}settlements/{safe}/", query))
    checked(agency.get(f"{contract}messages/", {"participant_ref": ref}))
    checked(agency.post(f"{contract}sharing-requests/{safe}/decide/", {"approved_fields": []}, format="json"))
    checked(agency.get(BASE, query))

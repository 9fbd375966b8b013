"""Kontraktor's REST API, money and messages: settlements opened, submitted, returned, accepted and
paid over the API (by side, in order, with the input they need), disputes of rejected claims, the
contract's message thread with its unread count, and the webhooks of all three."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.accounts.tokens import Scope, issue_api_token
from okienko.contracting import actions, settlement
from okienko.contracting.models import ContractMessage, Participant, Settlement, TrancheLine
from okienko.contracting.states import ParticipantStatus, SettlementStatus, TrancheStatus
from okienko.core import clock, events
from okienko.core.models import AuditRecord
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.contracting.domain import PDF, World, today, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PS, TS, ST = ParticipantStatus, TrancheStatus, SettlementStatus
BASE = "/api/v1/contracting/contracts/"
PROBLEM = "application/problem+json"
OUTSIDERS = ["agency_b", "office_b", "consultant"]


def client_for(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def url(world: World, rest: str = "") -> str:
    return f"{BASE}{world.contract.uuid}/{rest}"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def activated(world: World) -> Participant:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p, on=today() - dt.timedelta(days=150))
    for status in (PS.ADMITTED, PS.PLAN_AGREED, PS.IN_ACTIVATION):
        actions.change_participant_status(actor=world.agency, participant=p, to=status)
    return p


def claimed_line(world: World) -> tuple[Participant, TrancheLine]:
    """A participant whose first tranche (1,000.00 PLN, with evidence) is claimed."""
    p = activated(world)
    plan = actions.record_event(
        actor=world.agency, participant=p, type="individual_plan", occurred_at=clock.now() - dt.timedelta(days=10)
    )
    actions.attach_evidence(actor=world.agency, event=plan, data=PDF, name="ipd.pdf")
    settlement.refresh_tranche_lines(contract=world.contract)
    line = TrancheLine.objects.select_related("participant__contract", "definition").get(
        participant=p, definition__order=1
    )
    settlement.claim_tranche(actor=world.agency, line=line)
    return p, line


def approved_line(world: World) -> tuple[Participant, TrancheLine]:
    p, line = claimed_line(world)
    settlement.verify_claim(actor=world.office, line=line)
    settlement.approve_claim(actor=world.office, line=line)
    return p, line


PERIOD = {"period_start": (today() - dt.timedelta(days=30)).isoformat(), "period_end": today().isoformat()}


# --- settlements ----------------------------------------------------------------------------------


def test_the_agency_opens_a_settlement_and_both_sides_read_it_with_lines_and_totals(world: World) -> None:
    p, _line = approved_line(world)
    agency, office = client_for(world.agency), client_for(world.office)
    assert problem(office.post(url(world, "settlements/"), PERIOD, format="json"), 403)["type"].endswith("/forbidden")
    opened = agency.post(url(world, "settlements/"), PERIOD, format="json", HTTP_IDEMPOTENCY_KEY="open-1")
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert opened["Location"] == url(world, f"settlements/{body['uuid']}/")
    assert agency.post(url(world, "settlements/"), PERIOD, format="json", HTTP_IDEMPOTENCY_KEY="open-1").json() == body
    assert (body["status"], body["kind"], body["lines"]) == ("open", "regular", 1)
    assert body["total"] == {"amount": "1000.00", "currency": "PLN"}
    assert body["totals"] == {"approved": {"amount": "1000.00", "currency": "PLN"}}
    assert body["items"] == [
        {
            "participant": p.ref,
            "tranche": {"order": 1, "name": "Admission and plan"},
            "status": "approved",
            "amount": {"amount": "1000.00", "currency": "PLN"},
            "eligible_on": body["items"][0]["eligible_on"],
        }
    ]
    assert p.person is not None
    assert p.person.pesel not in opened.content.decode()
    for user in (world.office, world.agency):
        detail = client_for(user).get(opened["Location"])
        assert detail.status_code == 200
        assert detail.json()["items"] == body["items"]
    again = problem(agency.post(url(world, "settlements/"), PERIOD, format="json"), 409)
    assert again["reason"] == "period_taken"
    assert AuditRecord.objects.filter(action="contracting.settlement.opened").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "period_start"),
        ({"period_start": "2026-13-01", "period_end": "2026-01-31"}, "period_start"),
        ({"period_start": "2026-02-01", "period_end": "2026-01-31"}, "period_end"),
        ({**PERIOD, "corrects": "not-a-uuid"}, "corrects"),
        ({**PERIOD, "corrects": "00000000-0000-0000-0000-000000000009"}, "corrects"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_bad_settlement_periods_are_refused_with_the_field(world: World, body: Any, field: str) -> None:
    refused = problem(client_for(world.agency).post(url(world, "settlements/"), body, format="json"), 400)
    assert field in refused["errors"]
    assert not Settlement.objects.exists()


def test_a_correction_of_an_open_settlement_is_refused(world: World) -> None:
    approved_line(world)
    agency = client_for(world.agency)
    first = agency.post(url(world, "settlements/"), PERIOD, format="json").json()
    refused = problem(
        agency.post(url(world, "settlements/"), {**PERIOD, "corrects": first["uuid"]}, format="json"), 400
    )
    assert "corrects" in refused["errors"]


def test_the_settlement_walks_its_machine_by_side(world: World) -> None:
    _p, line = approved_line(world)
    agency, office = client_for(world.agency), client_for(world.office)
    found = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=today() - dt.timedelta(days=30), period_end=today()
    )
    path = url(world, f"settlements/{found.uuid}/")
    # out of order: only a submitted settlement is accepted or returned, an accepted one paid
    for step in ("accept/", "pay/"):
        assert problem(office.post(path + step), 409)["type"].endswith("/transition-not-allowed")
    assert problem(office.post(path + "return/", {"note": "x"}, format="json"), 409)
    # the office does not submit, the agency does not decide
    assert problem(office.post(path + "submit/", {"invoice_reference": "FV/1"}, format="json"), 403)
    for step in ("accept/", "pay/", "return/"):
        assert problem(agency.post(path + step, {"note": "x"}, format="json"), 403)
    missing = problem(agency.post(path + "submit/", {"invoice_reference": "  "}, format="json"), 400)
    assert "invoice_reference" in missing["errors"]
    too_long = problem(agency.post(path + "submit/", {"invoice_reference": "F" * 81}, format="json"), 400)
    assert "invoice_reference" in too_long["errors"]
    submitted = agency.post(path + "submit/", {"invoice_reference": "FV/1/2026"}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["status"], submitted.json()["invoice_reference"]) == ("submitted", "FV/1/2026")
    assert submitted.json()["totals"] == {"invoiced": {"amount": "1000.00", "currency": "PLN"}}
    assert problem(agency.post(path + "submit/", {"invoice_reference": "FV/1"}, format="json"), 409)
    no_note = problem(office.post(path + "return/", {}, format="json"), 400)
    assert "note" in no_note["errors"]
    returned = office.post(path + "return/", {"note": "Zły NIP na fakturze"}, format="json")
    assert (returned.json()["status"], returned.json()["note"]) == ("open", "Zły NIP na fakturze")
    assert agency.post(path + "submit/", {"invoice_reference": "FV/1/2026/K"}, format="json").status_code == 200
    assert office.post(path + "accept/").json()["status"] == "accepted"
    paid = office.post(path + "pay/", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert paid.json()["status"] == "paid"
    assert paid.json()["items"][0]["status"] == "paid"
    assert office.post(path + "pay/", HTTP_IDEMPOTENCY_KEY="pay-1").json() == paid.json()
    assert problem(office.post(path + "pay/"), 409)
    line.refresh_from_db()
    assert line.status == TS.PAID
    assert AuditRecord.objects.filter(action="contracting.settlement.status").count() >= 5


def test_a_settlement_without_lines_is_not_submitted(world: World) -> None:
    found = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 1, 31)
    )
    refused = client_for(world.agency).post(
        url(world, f"settlements/{found.uuid}/submit/"), {"invoice_reference": "FV/9"}, format="json"
    )
    assert problem(refused, 409)["reason"] == "no_lines"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_do_not_find_settlements(world: World, who: str) -> None:
    approved_line(world)
    found = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=today() - dt.timedelta(days=30), period_end=today()
    )
    outsider = client_for(getattr(world, who))
    path = url(world, f"settlements/{found.uuid}/")
    assert problem(outsider.get(path), 404)
    assert problem(outsider.post(url(world, "settlements/"), PERIOD, format="json"), 404)
    for step in ("submit/", "return/", "accept/", "pay/"):
        assert problem(outsider.post(path + step, {"note": "x", "invoice_reference": "FV"}, format="json"), 404)
    found.refresh_from_db()
    assert found.status == ST.OPEN


def test_anonymous_callers_and_unknown_settlements(world: World) -> None:
    approved_line(world)
    found = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=today() - dt.timedelta(days=30), period_end=today()
    )
    anonymous = client_for(None)
    assert problem(anonymous.get(url(world, f"settlements/{found.uuid}/")), 401)
    assert problem(anonymous.post(url(world, f"settlements/{found.uuid}/pay/")), 401)
    other = settlement.open_settlement(
        actor=world.agency_b,
        contract=world.contract_b,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 1, 2),
    )
    # another contract's settlement under this contract's address is not found
    assert problem(client_for(world.office).get(url(world, f"settlements/{other.uuid}/")), 404)
    assert problem(client_for(world.office).post(url(world, f"settlements/{other.uuid}/accept/")), 404)


def test_settlement_writes_need_the_write_scope(world: World) -> None:
    approved_line(world)

    def token(scopes: list[str]) -> APIClient:
        issued = issue_api_token(
            actor=None, organisation=world.agency_org, name="erp", scopes=scopes, role=Role.AGENCY_WORKER
        )
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        return client

    reader = token([Scope.CONTRACTING_READ])
    assert "contracting:write" in problem(reader.post(url(world, "settlements/"), PERIOD, format="json"), 403)["detail"]
    writer = token([Scope.CONTRACTING_READ, Scope.CONTRACTING_WRITE])
    opened = writer.post(url(world, "settlements/"), PERIOD, format="json")
    assert opened.status_code == 201
    assert reader.get(opened["Location"]).status_code == 200


# --- disputes -------------------------------------------------------------------------------------


def test_the_agency_disputes_a_rejection_and_the_office_decides_again(world: World) -> None:
    p, _line = claimed_line(world)
    agency, office = client_for(world.agency), client_for(world.office)
    dispute = url(world, f"tranches/{p.ref}/1/dispute/")
    verify = url(world, f"tranches/{p.ref}/1/verify/")
    # only a rejected line is disputed
    assert problem(agency.post(dispute, {"note": "mamy dowód"}, format="json"), 409)["type"].endswith(
        "/transition-not-allowed"
    )
    assert office.post(verify, {"decision": "reject", "note": "brak podpisu"}, format="json").json()["status"] == (
        "rejected"
    )
    assert problem(office.post(dispute, {"note": "x"}, format="json"), 403)
    assert "note" in problem(agency.post(dispute, {"note": " "}, format="json"), 400)["errors"]
    assert "note" in problem(agency.post(dispute, {"note": "x" * 2001}, format="json"), 400)["errors"]
    assert problem(client_for(world.agency_b).post(dispute, {"note": "x"}, format="json"), 404)
    assert problem(client_for(None).post(dispute, {"note": "x"}, format="json"), 401)
    disputed = agency.post(dispute, {"note": "Podpis jest na stronie 2"}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert disputed.status_code == 200, disputed.content
    assert disputed.json()["status"] == "disputed"
    assert agency.post(dispute, {"note": "Podpis jest na stronie 2"}, format="json", HTTP_IDEMPOTENCY_KEY="d-1").json()[
        "status"
    ] == ("disputed")
    assert problem(agency.post(dispute, {"note": "znowu"}, format="json"), 409)
    approved = office.post(verify, {"decision": "approve", "note": "ok"}, format="json")
    assert approved.json()["status"] == "approved"


def test_unknown_lines_are_not_found_for_a_dispute(world: World) -> None:
    agency = client_for(world.agency)
    assert problem(agency.post(url(world, "tranches/P-NOPE/1/dispute/"), {"note": "x"}, format="json"), 404)
    assert problem(agency.post(url(world, "tranches/P-NOPE/0/dispute/"), {"note": "x"}, format="json"), 404)


# --- messages -------------------------------------------------------------------------------------


def test_the_thread_between_the_office_and_the_agency(world: World) -> None:
    p = activated(world)
    office, agency = client_for(world.office), client_for(world.agency)
    path = url(world, "messages/")
    sent = office.post(
        path, {"body": "Proszę o IPD", "participant_ref": p.ref}, format="json", HTTP_IDEMPOTENCY_KEY="m1"
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["sender"], body["recipient"], body["participant_ref"], body["read_at"]) == (
        "pup-a",
        "agency-a",
        p.ref,
        None,
    )
    assert office.post(path, {"body": "Proszę o IPD", "participant_ref": p.ref}, format="json",
                       HTTP_IDEMPOTENCY_KEY="m1").json() == body  # fmt: skip
    assert agency.post(path, {"body": "Ogólna sprawa"}, format="json").status_code == 201
    listed = agency.get(path).json()
    assert [m["body"] for m in listed["results"]] == ["Ogólna sprawa", "Proszę o IPD"]
    assert listed["unread"] == 1
    assert office.get(path).json()["unread"] == 1
    about = agency.get(path, {"participant_ref": p.ref}).json()
    assert [m["id"] for m in about["results"]] == [body["id"]]
    # reading does not mark read; messages/read/ does, only what is addressed to the caller
    marked = agency.post(path + "read/", {}, format="json")
    assert marked.json() == {"marked": 1, "unread": 0}
    assert ContractMessage.objects.get(message_id=body["id"]).read_at is not None
    assert office.post(path + "read/", {"messages": [body["id"]]}, format="json").json() == {"marked": 0, "unread": 1}
    assert office.post(path + "read/", {"participant_ref": p.ref}, format="json").json()["marked"] == 0
    assert office.post(path + "read/", {}, format="json").json() == {"marked": 1, "unread": 0}
    assert AuditRecord.objects.filter(action="contracting.message.read").count() == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "body"),
        ({"body": "   "}, 400, "body"),
        ({"body": "x" * 10_001}, 400, "body"),
        ({"body": "ok", "participant_ref": "P-" + "A" * 30}, 400, "participant_ref"),
        ({"body": ["a"]}, 400, "body"),
        ({"body": "ok", "participant_ref": "P-NOPE"}, 404, ""),
    ],
)
def test_bad_messages_are_refused(world: World, body: dict[str, Any], status: int, field: str) -> None:
    refused = problem(client_for(world.agency).post(url(world, "messages/"), body, format="json"), status)
    if field:
        assert field in refused["errors"]
    assert not ContractMessage.objects.exists()


def test_the_agency_writes_only_about_participants_it_knows(world: World) -> None:
    (unshared,) = world.participants(1)
    agency = client_for(world.agency)
    refused = agency.post(url(world, "messages/"), {"body": "Kto to?", "participant_ref": unshared.ref}, format="json")
    assert problem(refused, 404)
    assert problem(agency.get(url(world, "messages/"), {"participant_ref": unshared.ref}), 404)
    assert AuditRecord.objects.filter(actor=world.agency, kind=AuditRecord.Kind.SECURITY).exists()
    assert (
        client_for(world.office)
        .post(url(world, "messages/"), {"body": "Nowa osoba", "participant_ref": unshared.ref}, format="json")
        .status_code
        == 201
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_neither_read_nor_write_the_thread(world: World, who: str) -> None:
    actions.send_message(actor=world.office, contract=world.contract, body="Poufne")
    outsider = client_for(getattr(world, who))
    assert problem(outsider.get(url(world, "messages/")), 404)
    assert problem(outsider.post(url(world, "messages/"), {"body": "hej"}, format="json"), 404)
    assert problem(outsider.post(url(world, "messages/read/"), {}, format="json"), 404)
    assert ContractMessage.objects.count() == 1
    assert ContractMessage.objects.get().read_at is None


def test_anonymous_callers_get_no_thread(world: World) -> None:
    assert problem(client_for(None).get(url(world, "messages/")), 401)
    assert problem(client_for(None).post(url(world, "messages/"), {"body": "x"}, format="json"), 401)
    assert problem(client_for(None).post(url(world, "messages/read/"), {}, format="json"), 401)


def test_bad_mark_read_bodies(world: World) -> None:
    agency = client_for(world.agency)
    assert (
        "messages"
        in problem(agency.post(url(world, "messages/read/"), {"messages": ["x"]}, format="json"), 400)["errors"]
    )
    assert (
        "messages"
        in problem(agency.post(url(world, "messages/read/"), {"messages": "x"}, format="json"), 400)["errors"]
    )


# --- webhooks -------------------------------------------------------------------------------------


def _subscribe(org: Any, topics: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        organisation=org, name="hook", url="https://hooks.example/k", secret="s" * 64, topics=topics,
        created_at=clock.now(),
    )  # fmt: skip


def test_webhooks_of_disputes_settlements_and_messages_reach_both_sides(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    office_hook = _subscribe(world.pup, ["contracting.settlement.*", "contracting.claim.disputed"])
    agency_hook = _subscribe(world.agency_org, ["contracting.message.*", "contracting.settlement.returned"])
    other_hook = _subscribe(world.agency_b_org, ["*"])
    p, _line = claimed_line(world)
    agency, office = client_for(world.agency), client_for(world.office)
    verify = url(world, f"tranches/{p.ref}/1/verify/")
    office.post(verify, {"decision": "reject", "note": "brak"}, format="json")
    agency.post(url(world, f"tranches/{p.ref}/1/dispute/"), {"note": "jest na str. 2"}, format="json")
    office.post(verify, {"decision": "approve"}, format="json")
    opened = agency.post(url(world, "settlements/"), PERIOD, format="json").json()
    path = url(world, f"settlements/{opened['uuid']}/")
    agency.post(path + "submit/", {"invoice_reference": "FV/1"}, format="json")
    office.post(path + "return/", {"note": "popraw datę"}, format="json")
    agency.post(path + "submit/", {"invoice_reference": "FV/1/K"}, format="json")
    office.post(path + "accept/")
    assert office.post(path + "pay/").json()["status"] == "paid"
    office.post(url(world, "messages/"), {"body": "Dane osobowe: Jan Kowalski", "participant_ref": p.ref},
                format="json")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        events.deliver_due()

    office_topics = sorted(d.topic for d in WebhookDelivery.objects.filter(subscription=office_hook))
    assert office_topics == [
        "contracting.claim.disputed",
        "contracting.settlement.accepted",
        "contracting.settlement.paid",
        "contracting.settlement.returned",
        "contracting.settlement.submitted",
        "contracting.settlement.submitted",
    ]
    agency_topics = sorted(d.topic for d in WebhookDelivery.objects.filter(subscription=agency_hook))
    assert agency_topics == ["contracting.message.sent", "contracting.settlement.returned"]
    assert not WebhookDelivery.objects.filter(subscription=other_hook).exists()
    disputed = WebhookDelivery.objects.get(topic="contracting.claim.disputed").payload["data"]
    assert (disputed["participant"], disputed["note"], disputed["tranche"]["order"]) == (p.ref, "jest na str. 2", 1)
    returned = WebhookDelivery.objects.get(subscription=agency_hook, topic="contracting.settlement.returned")
    assert returned.payload["data"] == {
        "contract": str(world.contract.uuid),
        "contract_number": "ZL/1/2026",
        "settlement": opened["uuid"],
        "kind": "regular",
        "period_start": PERIOD["period_start"],
        "period_end": PERIOD["period_end"],
        "status": "open",
        "total": {"amount": "1000.00", "currency": "PLN"},
        "invoice_reference": "FV/1/K",
        "note": "popraw datę",
    }
    message = WebhookDelivery.objects.get(topic="contracting.message.sent").payload["data"]
    assert (message["participant"], message["sender"], message["recipient"]) == (p.ref, "pup-a", "agency-a")
    assert p.person is not None
    for delivery in WebhookDelivery.objects.all():
        text = str(delivery.payload)
        assert "Kowalski" not in text
        assert str(p.person.pesel) not in text
    # the outbox may run a subscriber twice: nothing is delivered twice
    before = WebhookDelivery.objects.count()
    from okienko.core.models import OutboxEvent
    from okienko.integrations.webhooks.contracting import fan_out_contracting

    for outbox in OutboxEvent.objects.filter(topic__startswith="contracting."):
        fan_out_contracting(outbox)
    assert WebhookDelivery.objects.count() == before

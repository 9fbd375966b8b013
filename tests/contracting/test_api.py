"""Kontraktor's REST API: scope per institution and role, the shared view (approved fields only,
every read logged, refused with the reason after the contract ended), events, placements, claims,
data-sharing requests, idempotent POSTs, API tokens and the webhooks of events and claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.accounts.tokens import Scope, issue_api_token
from okienko.contracting import actions, settlement
from okienko.contracting.models import AccessLog, ActivationEvent, Contract, Participant, TrancheLine
from okienko.contracting.states import ContractStatus, ParticipantStatus, TrancheStatus
from okienko.core import clock, events
from okienko.core.models import AuditRecord
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.contracting.domain import PDF, World, today, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PS, TS = ParticipantStatus, TrancheStatus
BASE = "/api/v1/contracting/contracts/"
PROBLEM = "application/problem+json"


def client_for(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def url(contract: Contract, rest: str = "") -> str:
    return f"{BASE}{contract.uuid}/{rest}"


def activated(world: World, n: int = 1) -> list[Participant]:
    """Participants shared with agency A (first name, last name, e-mail, education), referred and
    in activation."""
    people = world.participants(n)
    world.share(people)
    for p in people:
        p.refresh_from_db()
        actions.refer(actor=world.office, participant=p, on=today() - dt.timedelta(days=150))
        for status in (PS.ADMITTED, PS.PLAN_AGREED, PS.IN_ACTIVATION):
            actions.change_participant_status(actor=world.agency, participant=p, to=status)
    return people


def numbers(response: Any) -> set[str]:
    return {c["number"] for c in response.json()["results"]}


# --- scope ----------------------------------------------------------------------------------------


def test_each_side_lists_only_its_contracts(world: World) -> None:
    assert numbers(client_for(world.office).get(BASE)) == {"ZL/1/2026"}
    assert numbers(client_for(world.office_b).get(BASE)) == {"ZL/2/2026"}
    assert numbers(client_for(world.agency).get(BASE)) == {"ZL/1/2026"}
    assert numbers(client_for(world.agency_b).get(BASE)) == {"ZL/2/2026"}
    assert numbers(client_for(world.consultant).get(BASE)) == set()
    body = client_for(world.agency).get(url(world.contract)).json()
    assert (body["number"], body["sides"], body["price_per_participant"]) == (
        "ZL/1/2026",
        ["agency"],
        {"amount": "5000.00", "currency": "PLN"},
    )


def test_anonymous_callers_get_a_problem(world: World) -> None:
    response = client_for(None).get(BASE)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/not-authenticated")


@pytest.mark.parametrize("who", ["agency_b", "office_b", "consultant"])
def test_another_institutions_contract_is_not_found_and_audited(world: World, who: str) -> None:
    user = getattr(world, who)
    for path in ("", "participants/", "tranches/", "settlements/", "sharing-requests/"):
        response = client_for(user).get(url(world.contract, path))
        assert response.status_code == 404, path
        assert response["Content-Type"] == PROBLEM
    assert AuditRecord.objects.filter(actor=user, kind=AuditRecord.Kind.SECURITY).exists()


def test_the_agency_lists_only_shared_participants_the_office_all(world: World) -> None:
    shared = activated(world, 2)
    (unshared,) = world.participants(1)
    office = {p["ref"] for p in client_for(world.office).get(url(world.contract, "participants/")).json()["results"]}
    agency = {p["ref"] for p in client_for(world.agency).get(url(world.contract, "participants/")).json()["results"]}
    assert office == {p.ref for p in [*shared, unshared]}
    assert agency == {p.ref for p in shared}
    response = client_for(world.agency).get(url(world.contract, f"participants/{unshared.ref}/"))
    assert response.status_code == 404


def test_the_agency_reads_only_approved_fields_and_the_read_is_logged(world: World) -> None:
    (p,) = activated(world)
    before = AccessLog.objects.filter(participant_ref=p.ref, action="read").count()
    response = client_for(world.agency).get(url(world.contract, f"participants/{p.ref}/"))
    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "shared"
    assert set(body["data"]) == {"first_name", "last_name", "email", "education_level"}
    assert body["shared"]["purpose"] == "activation"
    text = response.content.decode()
    assert p.person is not None
    assert p.person.pesel not in text
    assert p.person.phone not in text
    assert str(p.pk) not in body["ref"]
    assert AccessLog.objects.filter(participant_ref=p.ref, action="read").count() == before + 1


def test_fields_outside_the_approval_are_refused_with_the_reason(world: World) -> None:
    (p,) = activated(world)
    response = client_for(world.agency).get(url(world.contract, f"participants/{p.ref}/?fields=first_name,pesel"))
    assert response.status_code == 403
    body = response.json()
    assert response["Content-Type"] == PROBLEM
    assert (body["type"].rsplit("/", 1)[1], body["reason"]) == ("shared-data-refused", "field_out_of_scope")
    assert AccessLog.objects.filter(participant_ref=p.ref, outcome="refused", reason="field_out_of_scope").exists()
    only = client_for(world.agency).get(url(world.contract, f"participants/{p.ref}/?fields=first_name"))
    assert set(only.json()["data"]) == {"first_name"}


def test_after_the_contract_ended_the_agency_is_told_why(world: World) -> None:
    (p,) = activated(world)
    actions.change_contract_status(actor=world.office, contract=world.contract, to=ContractStatus.ENDED)
    response = client_for(world.agency).get(url(world.contract, f"participants/{p.ref}/"))
    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == "contract_not_running"
    assert "ended" in body["detail"]
    assert AccessLog.objects.filter(participant_ref=p.ref, outcome="refused", reason="contract_not_running").exists()
    assert client_for(world.agency).get(url(world.contract, "participants/")).json()["results"] == []


def test_the_office_reads_its_own_registry_data_by_reference(world: World) -> None:
    (p,) = world.participants(1)
    response = client_for(world.office).get(url(world.contract, f"participants/{p.ref}/"))
    body = response.json()
    assert response.status_code == 200
    assert body["view"] == "office"
    assert body["shared"] is None
    assert p.person is not None
    assert body["data"]["last_name"] == p.person.last_name
    assert AuditRecord.objects.filter(actor=world.office, action="personal_data.viewed", data__purpose="api").exists()
    assert client_for(world.office).get(url(world.contract, f"participants/{p.pk}/")).status_code == 404


# --- events and placements ------------------------------------------------------------------------


def test_the_agency_records_an_event_idempotently(world: World) -> None:
    (p,) = activated(world)
    client = client_for(world.agency)
    body = {"type": "meeting", "occurred_at": (clock.now() - dt.timedelta(hours=1)).isoformat(), "details": {}}
    first = client.post(url(world.contract, f"participants/{p.ref}/events/"), body, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    again = client.post(url(world.contract, f"participants/{p.ref}/events/"), body, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ActivationEvent.objects.filter(participant=p, type="meeting").count() == 1
    other = client.post(url(world.contract, f"participants/{p.ref}/events/"), {**body, "type": "contact"},
                        format="json", HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert other.status_code == 422
    listed = client.get(url(world.contract, f"participants/{p.ref}/events/")).json()["results"]
    assert [e["type"] for e in listed] == ["meeting"]
    assert listed[0]["participant"] == p.ref
    assert listed[0]["institution"] == "agency-a"


def test_an_event_with_evidence_upload(world: World) -> None:
    (p,) = activated(world)
    response = client_for(world.agency).post(
        url(world.contract, f"participants/{p.ref}/events/"),
        {
            "type": "individual_plan",
            "occurred_at": (clock.now() - dt.timedelta(days=1)).isoformat(),
            "details": '{"note": "IPD"}',
            "file": SimpleUploadedFile("ipd.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["details"] == {"note": "IPD"}
    assert [e["name"] for e in body["evidence"]] == ["ipd.pdf"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "party", "occurred_at": "2026-01-01T10:00:00Z"}, "type"),
        ({"type": "meeting", "occurred_at": "yesterday"}, "occurred_at"),
        ({"type": "meeting", "occurred_at": "2999-01-01T10:00:00Z"}, "occurred_at"),
        ({"type": "meeting", "occurred_at": "0001-01-01T00:00:00Z"}, "occurred_at"),
        ({"type": "meeting", "occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"type": "meeting", "occurred_at": "2026-01-01T10:00:00Z", "details": [1]}, "details"),
        ({"type": "training", "occurred_at": "2026-01-01T10:00:00Z", "details": {"hours_planned": "x"}}, "details"),
    ],
    ids=["type", "date", "future", "year-1", "year-1-east", "details-list", "training-hours"],
)
def test_bad_events_are_refused_with_the_field(world: World, body: dict[str, Any], field: str) -> None:
    (p,) = activated(world)
    response = client_for(world.agency).post(url(world.contract, f"participants/{p.ref}/events/"), body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"]


def test_a_placement_is_recorded_with_its_checks_and_checked(world: World) -> None:
    (p,) = activated(world)
    body = {
        "employer_nip": "5260250274",
        "position": "magazynier",
        "occupation_code": "432103",
        "contract_type": "employment",
        "working_time": "1.000",
        "start_date": (today() - dt.timedelta(days=20)).isoformat(),
        "verified_by": "contract_copy",
    }
    path = url(world.contract, f"participants/{p.ref}/placements/")
    bad = client_for(world.agency).post(path, {**body, "employer_nip": "1234567890"}, format="json")
    assert bad.status_code == 400
    assert "employer_nip" in bad.json()["errors"]
    response = client_for(world.agency).post(path, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["working_time"] == "1.000"
    assert [c["days"] for c in created["retention_checks"]] == [14, 90]
    p.refresh_from_db()
    assert p.status == PS.PLACED
    assert client_for(world.office).post(path, body, format="json").status_code == 403


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_placement_outside_the_calendar_is_refused_with_the_field(world: World, day: str) -> None:
    (p,) = activated(world)
    body = {
        "employer_nip": "5260250274",
        "position": "magazynier",
        "occupation_code": "432103",
        "contract_type": "employment",
        "working_time": "1.000",
        "start_date": day,
        "verified_by": "contract_copy",
    }
    response = client_for(world.agency).post(
        url(world.contract, f"participants/{p.ref}/placements/"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert "start_date" in response.json()["errors"]
    ended = {**body, "start_date": today().isoformat(), "end_date": "9999-12-31"}
    response = client_for(world.agency).post(
        url(world.contract, f"participants/{p.ref}/placements/"), ended, format="json"
    )
    assert response.status_code == 400, response.content
    assert "end_date" in response.json()["errors"]


# --- claims -----------------------------------------------------------------------------------------


def test_claims_refused_with_the_reason_then_made_and_decided(world: World) -> None:
    (p,) = activated(world)
    plan = actions.record_event(
        actor=world.agency, participant=p, type="individual_plan", occurred_at=clock.now() - dt.timedelta(days=10)
    )
    settlement.refresh_tranche_lines(contract=world.contract)
    agency, office = client_for(world.agency), client_for(world.office)
    lines = agency.get(url(world.contract, "tranches/")).json()["results"]
    first = next(line for line in lines if line["tranche"]["order"] == 1)
    assert (first["status"], first["amount"]) == ("eligible", {"amount": "1000.00", "currency": "PLN"})
    claim = url(world.contract, f"tranches/{p.ref}/1/claim/")
    refused = agency.post(claim)
    assert refused.status_code == 409
    assert (refused.json()["reason"], refused["Content-Type"]) == ("evidence_missing", PROBLEM)
    assert AuditRecord.objects.filter(action="contracting.trancheline.claim_refused").exists()
    too_early = agency.post(url(world.contract, f"tranches/{p.ref}/3/claim/"))
    assert too_early.status_code == 409
    assert too_early.json()["reason"] == "trigger_missing"
    actions.attach_evidence(actor=world.agency, event=plan, data=PDF, name="ipd.pdf")
    assert office.post(claim).status_code == 403
    claimed = agency.post(claim, HTTP_IDEMPOTENCY_KEY="claim-1")
    assert claimed.status_code == 200
    assert claimed.json()["status"] == "claimed"
    assert agency.post(claim, HTTP_IDEMPOTENCY_KEY="claim-1").json() == claimed.json()
    verify = url(world.contract, f"tranches/{p.ref}/1/verify/")
    assert agency.post(verify, {"decision": "approve"}, format="json").status_code == 403
    assert office.post(verify, {"decision": "maybe"}, format="json").status_code == 400
    approved = office.post(verify, {"decision": "approve"}, format="json")
    assert approved.json()["status"] == "approved"
    assert TrancheLine.objects.get(participant=p, definition__order=1).amount == Decimal("1000.00")
    assert client_for(world.agency_b).post(claim).status_code == 404


# --- data-sharing requests ----------------------------------------------------------------------


def test_the_office_asks_for_the_agencys_records_and_the_agency_decides(world: World) -> None:
    (p,) = activated(world)
    actions.record_event(actor=world.agency, participant=p, type="meeting", occurred_at=clock.now())
    office, agency = client_for(world.office), client_for(world.agency)
    records = url(world.contract, f"participants/{p.ref}/agency-records/")
    assert office.get(records).json()["reason"] == "no_request"
    body = {
        "direction": "agency_to_office",
        "purpose": "monitoring",
        "fields": ["events"],
        "participants": [p.ref],
        "valid_from": today().isoformat(),
        "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
    }
    bad = office.post(url(world.contract, "sharing-requests/"), {**body, "fields": ["pesel"]}, format="json")
    assert bad.status_code == 400
    assert "fields" in bad.json()["errors"]
    assert AccessLog.objects.filter(outcome="refused", reason="field_out_of_scope", action="transfer").exists()
    unknown = office.post(url(world.contract, "sharing-requests/"), {**body, "participants": ["P-X"]}, format="json")
    assert unknown.status_code == 400
    assert "participants" in unknown.json()["errors"]
    assert agency.post(url(world.contract, "sharing-requests/"), body, format="json").status_code == 403
    created = office.post(url(world.contract, "sharing-requests/"), body, format="json")
    assert created.status_code == 201, created.content
    request = created.json()
    assert (request["status"], request["participants"], request["approver"]) == ("submitted", [p.ref], "agency-a")
    decide = url(world.contract, f"sharing-requests/{request['uuid']}/decide/")
    assert office.post(decide, {"approved_fields": ["events"]}, format="json").status_code in (403, 409)
    decided = agency.post(decide, {"approved_fields": ["events"], "note": "zgoda"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["status"] == "active"
    shown = office.get(records).json()
    assert [e["type"] for e in shown["data"]["events"]] == ["meeting"]
    listed = agency.get(url(world.contract, "sharing-requests/")).json()["results"]
    assert {r["uuid"] for r in listed} >= {request["uuid"]}


def test_only_the_office_moves_the_contract(world: World) -> None:
    path = url(world.contract, "transition/")
    assert client_for(world.agency).post(path, {"to_status": "suspended"}, format="json").status_code == 403
    bad = client_for(world.office).post(path, {"to_status": "closed"}, format="json")
    assert bad.status_code == 409, bad.content
    done = client_for(world.office).post(path, {"to_status": "suspended", "note": "kontrola"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "suspended"


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_need_the_contracting_scopes_and_see_their_institution_only(world: World) -> None:
    def token(org: Any, scopes: list[str], role: str) -> APIClient:
        issued = issue_api_token(actor=None, organisation=org, name="system", scopes=scopes, role=role)
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        return client

    reader = token(world.agency_org, [Scope.CONTRACTING_READ], Role.AGENCY_WORKER)
    assert numbers(reader.get(BASE)) == {"ZL/1/2026"}
    (p,) = activated(world)
    body = {"type": "contact", "occurred_at": clock.now().isoformat()}
    refused = reader.post(url(world.contract, f"participants/{p.ref}/events/"), body, format="json")
    assert refused.status_code == 403
    assert "contracting:write" in refused.json()["detail"]
    writer = token(world.agency_org, [Scope.CONTRACTING_READ, Scope.CONTRACTING_WRITE], Role.AGENCY_WORKER)
    assert writer.post(url(world.contract, f"participants/{p.ref}/events/"), body, format="json").status_code == 201
    office = token(world.pup_b, [Scope.CONTRACTING_READ], Role.CONTRACT_MANAGER)
    assert numbers(office.get(BASE)) == {"ZL/2/2026"}
    assert office.get(url(world.contract)).status_code == 404
    other = token(world.pup, [Scope.CASES_READ], Role.CONTRACT_MANAGER)
    assert other.get(BASE).status_code == 403


# --- webhooks -------------------------------------------------------------------------------------


def _subscribe(org: Any, topics: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        organisation=org, name="hook", url="https://hooks.example/k", secret="s" * 64, topics=topics,
        created_at=clock.now(),
    )  # fmt: skip


def test_webhooks_of_events_placements_and_claims_reach_both_sides_without_personal_data(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    office_hook = _subscribe(world.pup, ["contracting.*"])
    agency_hook = _subscribe(world.agency_org, ["contracting.claim.*"])
    other_hook = _subscribe(world.agency_b_org, ["*"])
    (p,) = activated(world)
    agency, office = client_for(world.agency), client_for(world.office)
    plan = agency.post(
        url(world.contract, f"participants/{p.ref}/events/"),
        {"type": "individual_plan", "occurred_at": (clock.now() - dt.timedelta(days=2)).isoformat()},
        format="json",
    ).json()
    event = ActivationEvent.objects.get(uuid=plan["id"])
    actions.attach_evidence(actor=world.agency, event=event, data=PDF, name="ipd.pdf")
    agency.post(
        url(world.contract, f"participants/{p.ref}/placements/"),
        {
            "employer_nip": "5260250274",
            "position": "magazynier",
            "occupation_code": "432103",
            "contract_type": "employment",
            "working_time": "0.5",
            "start_date": today().isoformat(),
            "verified_by": "employer",
        },
        format="json",
    )
    settlement.refresh_tranche_lines(contract=world.contract)
    assert agency.post(url(world.contract, f"tranches/{p.ref}/1/claim/")).status_code == 200
    rejected = office.post(url(world.contract, f"tranches/{p.ref}/1/verify/"), {"decision": "reject", "note": "brak"},
                           format="json")  # fmt: skip
    assert rejected.json()["status"] == "rejected"
    with django_capture_on_commit_callbacks(execute=False):
        events.deliver_due()

    topics = sorted(d.topic for d in WebhookDelivery.objects.filter(subscription=office_hook))
    assert topics == [
        "contracting.claim.decided",
        "contracting.claim.made",
        "contracting.event.recorded",
        "contracting.event.recorded",
        "contracting.placement.recorded",
    ]
    agency_topics = sorted(d.topic for d in WebhookDelivery.objects.filter(subscription=agency_hook))
    assert agency_topics == ["contracting.claim.decided", "contracting.claim.made"]
    assert not WebhookDelivery.objects.filter(subscription=other_hook).exists()
    decided = WebhookDelivery.objects.get(subscription=agency_hook, topic="contracting.claim.decided").payload
    assert decided["data"] == {
        "contract": str(world.contract.uuid),
        "contract_number": "ZL/1/2026",
        "participant": p.ref,
        "tranche": {"order": 1, "name": "Admission and plan"},
        "amount": {"amount": "1000.00", "currency": "PLN"},
        "decision": "rejected",
        "note": "brak",
    }
    placed = WebhookDelivery.objects.get(subscription=office_hook, topic="contracting.placement.recorded").payload
    assert placed["data"]["participant"] == p.ref
    assert placed["data"]["contract_number"] == "ZL/1/2026"
    assert p.person is not None
    for delivery in WebhookDelivery.objects.all():
        text = str(delivery.payload)
        assert str(p.person.pesel) not in text
        assert p.person.last_name not in text
    # the outbox may run a subscriber twice: nothing is delivered twice
    before = WebhookDelivery.objects.count()
    from okienko.core.models import OutboxEvent
    from okienko.integrations.webhooks.contracting import fan_out_contracting

    for outbox in OutboxEvent.objects.filter(topic__startswith="contracting."):
        fan_out_contracting(outbox)
    assert WebhookDelivery.objects.count() == before


# --- the demo keys (README) -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_keys_walk_the_story(settings: Any, tmp_path: Any) -> None:
    import io

    from okienko.accounts import demo as accounts_demo
    from okienko.contracting import demo as contracting_demo
    from okienko.contracting.registry import demo as registry_demo
    from okienko.integrations import demo as integrations_demo

    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    for module in (accounts_demo, registry_demo, contracting_demo, integrations_demo):
        module.load(stdout=out)

    def bearer(secret: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    agency, office = bearer(integrations_demo.REST_AGENCY), bearer(integrations_demo.REST_PUP)
    agency_numbers, office_numbers = numbers(agency.get(BASE)), numbers(office.get(BASE))
    assert "WUP-ZDA/1/2026" in agency_numbers & office_numbers
    main = Contract.objects.get(number="WUP-ZDA/1/2026")
    shared = agency.get(url(main, "participants/")).json()["results"]
    assert shared
    read = agency.get(url(main, f"participants/{shared[0]['ref']}/"))
    assert read.status_code == 200
    assert read.json()["view"] == "shared"
    assert office.get(url(main, "tranches/")).status_code == 200


# --- participant steps, the agency asking for more, settlements -----------------------------------


def test_the_participant_walks_its_machine_by_side(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p])
    step = url(world.contract, f"participants/{p.ref}/transition/")
    agency, office = client_for(world.agency), client_for(world.office)
    refused = agency.post(step, {"to_status": "referred"}, format="json")
    assert refused.status_code in (403, 409)
    assert refused["Content-Type"] == PROBLEM
    assert office.post(step, {"to_status": "sideways"}, format="json").status_code == 400
    referred = office.post(step, {"to_status": "referred"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert referred.status_code == 200, referred.content
    assert referred.json()["status"] == "referred"
    assert referred.json()["referral_date"] == today().isoformat()
    for status in ("admitted", "plan_agreed", "in_activation"):
        moved = agency.post(step, {"to_status": status}, format="json")
        assert moved.json()["status"] == status
    left = agency.post(step, {"to_status": "dropped_out", "note": "wyjazd"}, format="json")
    assert (left.json()["status"], left.json()["exit_reason"]) == ("dropped_out", "dropped_out")


def test_the_agency_asks_for_more_fields_and_the_office_approves_part(world: World) -> None:
    (p,) = activated(world)
    body = {
        "direction": "office_to_agency",
        "purpose": "activation",
        "fields": ["phone", "work_history"],
        "participants": [p.ref],
        "valid_from": today().isoformat(),
        "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
    }
    agency, office = client_for(world.agency), client_for(world.office)
    (stranger,) = world.participants(1)
    hidden = agency.post(url(world.contract, "sharing-requests/"), {**body, "participants": [stranger.ref]},
                         format="json")  # fmt: skip
    assert hidden.status_code == 400
    asked = agency.post(url(world.contract, "sharing-requests/"), body, format="json")
    assert asked.status_code == 201, asked.content
    request = asked.json()
    assert (request["requester"], request["approver"], request["status"]) == ("agency-a", "pup-a", "submitted")
    decide = url(world.contract, f"sharing-requests/{request['uuid']}/decide/")
    assert agency.post(decide, {"approved_fields": ["phone"]}, format="json").status_code in (403, 409)
    outside = office.post(decide, {"approved_fields": ["pesel"]}, format="json")
    assert outside.status_code == 400
    part = office.post(decide, {"approved_fields": ["work_history"], "note": "bez telefonu"}, format="json")
    assert part.json()["approved_fields"] == ["work_history"]
    assert part.json()["status"] in ("partially_approved", "active")


def test_settlements_are_listed_with_decimal_totals(world: World) -> None:
    (p,) = activated(world)
    plan = actions.record_event(
        actor=world.agency, participant=p, type="individual_plan", occurred_at=clock.now() - dt.timedelta(days=10)
    )
    actions.attach_evidence(actor=world.agency, event=plan, data=PDF, name="ipd.pdf")
    settlement.refresh_tranche_lines(contract=world.contract)
    line = TrancheLine.objects.select_related("participant__contract", "definition").get(
        participant=p, definition__order=1
    )
    settlement.claim_tranche(actor=world.agency, line=line)
    settlement.verify_claim(actor=world.office, line=line)
    settlement.approve_claim(actor=world.office, line=line)
    settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=today() - dt.timedelta(days=30), period_end=today()
    )
    (item,) = client_for(world.office).get(url(world.contract, "settlements/")).json()["results"]
    assert (item["total"], item["lines"], item["status"]) == ({"amount": "1000.00", "currency": "PLN"}, 1, "open")
    assert (
        client_for(world.agency).get(url(world.contract, "settlements/")).json()["results"][0]["uuid"] == item["uuid"]
    )
    assert client_for(world.agency_b).get(url(world.contract, "settlements/")).status_code == 404


def test_employment_checks_are_recorded_by_the_agency_when_due(world: World) -> None:
    (p,) = activated(world)
    placement = actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="magazynier",
        occupation_code="432103",
        contract_type="employment",
        working_time=Decimal("1.000"),
        start_date=today() - dt.timedelta(days=20),
        verified_by="contract_copy",
    )
    check = url(world.contract, f"participants/{p.ref}/placements/{placement.uuid}/checks/")
    agency = client_for(world.agency)
    assert client_for(world.office).post(check + "14/", {"employed": True}, format="json").status_code == 403
    assert agency.post(check + "15/", {"employed": True}, format="json").status_code == 404
    early = agency.post(check + "90/", {"employed": True}, format="json")
    assert early.status_code == 409
    assert (today() + dt.timedelta(days=70)).isoformat() in early.json()["detail"]
    done = agency.post(
        check + "14/",
        {"employed": "true", "file": SimpleUploadedFile("zus.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert done.status_code == 201, done.content
    assert (done.json()["type"], done.json()["details"]["employed"]) == ("retention_check", True)
    assert [e["name"] for e in done.json()["evidence"]] == ["zus.pdf"]
    p.refresh_from_db()
    assert p.status == PS.RETAINED_14
    assert agency.post(check + "14/", {"employed": True}, format="json").status_code == 409


def test_a_refusal_logged_under_an_idempotency_key_stays_logged_and_frees_the_key(world: World) -> None:
    (p,) = activated(world)
    body = {
        "direction": "agency_to_office",
        "purpose": "monitoring",
        "fields": ["pesel"],
        "participants": [p.ref],
        "valid_from": today().isoformat(),
        "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
    }
    office = client_for(world.office)
    path = url(world.contract, "sharing-requests/")
    refused = office.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    assert refused.status_code == 400
    assert AccessLog.objects.filter(outcome="refused", reason="field_out_of_scope", action="transfer").exists()
    fixed = office.post(path, {**body, "fields": ["events"]}, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    assert fixed.status_code == 201, fixed.content

"""Kontraktor on the desk: each page and form for the office and the agency, the scope per role
(an agency never sees another agency's contract or an unshared participant, an office never sees
another office's contract, the agency sees only the shared fields) and refusals shown as messages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.accounts.models import User
from okienko.contracting import actions, sharing
from okienko.contracting.models import (
    AccessLog,
    ActivationEvent,
    ContractMessage,
    DataSharingRequest,
    Direction,
    Participant,
    Placement,
    SharingPurpose,
    TrancheLine,
)
from okienko.contracting.states import ContractStatus, ParticipantStatus, SharingStatus, TrancheStatus
from okienko.core import clock
from okienko.core.models import AuditRecord
from tests.contracting.domain import PDF, World, today, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def http(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def url(name: str, *args: Any) -> str:
    return reverse(f"desk:contracting_{name}", args=args)


def referred(world: World, n: int = 1) -> list[Participant]:
    """Participants shared with the agency and referred by the office."""
    people = world.participants(n)
    world.share(people)
    for p in people:
        p.refresh_from_db()
        actions.refer(actor=world.office, participant=p)
        p.refresh_from_db()
    return people


# --- Scope --------------------------------------------------------------------------------------


def test_contract_list_per_role(world: World) -> None:
    assert world.contract.number in page(http(world.office), url("contracts"))
    assert world.contract_b.number not in page(http(world.office), url("contracts"))
    agency_page = page(http(world.agency), url("contracts"))
    assert world.contract.number in agency_page
    assert world.contract_b.number not in agency_page
    assert http(world.consultant).get(url("contracts")).status_code == 403


def test_other_office_and_other_agency_get_404_audited(world: World) -> None:
    for user in (world.office_b, world.agency_b, world.consultant):
        before = AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY).count()
        status = http(user).get(url("contract", world.contract.uuid)).status_code
        assert status in (403, 404)
        if status == 404:
            assert AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY).count() > before


def test_agency_never_sees_an_unshared_participant(world: World) -> None:
    (shared,) = referred(world)
    (hidden,) = world.participants(1)
    agency = http(world.agency)
    text = page(agency, url("contract", world.contract.uuid))
    assert shared.person is not None
    assert hidden.person is not None
    assert shared.ref in text
    assert hidden.ref not in text
    assert hidden.person.last_name not in text
    assert shared.person.last_name not in text
    assert agency.get(url("participant", world.contract.uuid, hidden.ref)).status_code == 404
    assert agency.get(url("access_log", world.contract.uuid, hidden.ref)).status_code == 404


def test_agency_sees_only_the_shared_fields_and_the_read_is_logged(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p], fields=["first_name", "last_name", "email"], approve=["first_name", "last_name"])
    text = page(http(world.agency), url("participant", world.contract.uuid, p.ref))
    assert p.person is not None
    assert p.person.first_name in text
    assert p.person.last_name in text
    assert p.person.email not in text
    assert str(p.person.pesel) not in text
    assert p.person.street not in text
    assert AccessLog.objects.filter(participant_ref=p.ref, action="read", outcome="granted").exists()


def test_after_the_contract_ended_the_agency_is_refused_with_the_reason(world: World) -> None:
    (p,) = referred(world)
    actions.change_contract_status(actor=world.office, contract=world.contract, to=ContractStatus.ENDED)
    agency = http(world.agency)
    assert p.ref in page(agency, url("contract", world.contract.uuid))  # still worked with, by reference
    text = page(agency, url("participant", world.contract.uuid, p.ref))
    assert "The contract has ended or is not in force" in text
    assert p.person is not None
    assert p.person.last_name not in text
    refused = AccessLog.objects.filter(participant_ref=p.ref, outcome="refused", reason="contract_not_running")
    assert refused.exists()


def test_participant_page_shows_refusal_reason_outside_validity(world: World) -> None:
    (p,) = referred(world)
    request = DataSharingRequest.objects.get(contract=world.contract)
    DataSharingRequest.objects.filter(pk=request.pk).update(valid_from=today() + dt.timedelta(days=1))
    text = page(http(world.agency), url("participant", world.contract.uuid, p.ref))
    assert "Refused" in text
    assert "not valid today" in text


# --- Office pages -------------------------------------------------------------------------------


def test_office_contract_page_progress_checks_and_status(world: World) -> None:
    referred(world, 2)
    office = http(world.office)
    text = page(office, url("contract", world.contract.uuid))
    assert "Progress against the indicators" in text
    assert 'value="2"' in text
    response = office.post(url("contract_status", world.contract.uuid), {"to": "suspended"}, follow=True)
    assert "status is changed" in response.content.decode()
    world.contract.refresh_from_db()
    assert world.contract.status == ContractStatus.SUSPENDED
    response = office.post(url("contract_status", world.contract.uuid), {"to": "closed"}, follow=True)
    assert response.status_code == 200
    assert "messages" in response.content.decode()
    world.contract.refresh_from_db()
    assert world.contract.status == ContractStatus.SUSPENDED
    assert http(world.agency).post(url("contract_status", world.contract.uuid), {"to": "active"}).status_code == 302
    world.contract.refresh_from_db()
    assert world.contract.status == ContractStatus.SUSPENDED


def test_office_nominates_from_its_registry_only(world: World) -> None:
    own = world.person()
    foreign = world.person(world.pup_b)
    office = http(world.office)
    text = page(office, url("nominate", world.contract.uuid))
    assert own.last_name in text
    assert foreign.last_name not in text
    office.post(url("nominate", world.contract.uuid), {"person": [own.pk, foreign.pk, "x"]})
    assert list(world.contract.participants.values_list("person_id", flat=True)) == [own.pk]
    response = office.post(url("nominate", world.contract.uuid), {"person": []}, follow=True)
    assert "Choose at least one person" in response.content.decode()
    assert http(world.agency).get(url("nominate", world.contract.uuid)).status_code == 403


def test_office_proposes_sharing_and_approves_it_as_the_owner(world: World) -> None:
    (p,) = world.participants(1)
    office = http(world.office)
    text = page(office, url("new_request", world.contract.uuid), purpose="activation")
    assert "first_name" in text
    assert 'value="pesel"' not in text
    response = office.post(
        url("new_request", world.contract.uuid),
        {
            "purpose": "activation",
            "field": ["first_name", "last_name", "pesel"],
            "participant": [p.ref],
            "valid_from": today().isoformat(),
            "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    assert "not allowed for the purpose" in response.content.decode()
    assert not DataSharingRequest.objects.exists()
    response = office.post(
        url("new_request", world.contract.uuid),
        {
            "purpose": "activation",
            "field": ["first_name", "last_name", "email"],
            "participant": [p.ref],
            "valid_from": today().isoformat(),
            "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
        },
    )
    request = DataSharingRequest.objects.get()
    assert request.status == SharingStatus.SUBMITTED
    assert response["Location"] == url("request", world.contract.uuid, request.uuid)
    text = page(office, response["Location"])
    assert "Decide as the data owner" in text
    office.post(
        url("request_action", world.contract.uuid, request.uuid), {"action": "approve", "field": ["first_name"]}
    )
    request.refresh_from_db()
    assert request.status == SharingStatus.ACTIVE
    assert request.approved_fields == ["first_name"]
    p.refresh_from_db()
    assert p.status == ParticipantStatus.SHARED


def test_bad_request_form_input_is_a_message(world: World) -> None:
    (p,) = world.participants(1)
    office = http(world.office)
    for data in (
        {
            "purpose": "activation",
            "field": ["first_name"],
            "participant": [p.ref],
            "valid_from": "x",
            "valid_until": "",
        },
        {
            "purpose": "activation",
            "field": [],
            "participant": [p.ref],
            "valid_from": "2026-01-01",
            "valid_until": "2026-02-01",
        },
        {"purpose": "nope"},
        {
            "purpose": "activation",
            "field": ["first_name"],
            "participant": [],
            "valid_from": "2026-01-01",
            "valid_until": "2026-02-01",
        },
    ):
        response = office.post(url("new_request", world.contract.uuid), data, follow=True)
        assert response.status_code == 200
    assert not DataSharingRequest.objects.exists()


def test_agency_decides_the_office_request_for_its_records(world: World) -> None:
    (p,) = referred(world)
    actions.change_participant_status(actor=world.agency, participant=p, to=ParticipantStatus.ADMITTED)
    office = http(world.office)
    office.post(
        url("new_request", world.contract.uuid),
        {
            "purpose": "monitoring",
            "field": ["events", "placements", "documents"],
            "participant": [p.ref],
            "valid_from": today().isoformat(),
            "valid_until": (today() + dt.timedelta(days=30)).isoformat(),
        },
    )
    request = DataSharingRequest.objects.get(direction=Direction.AGENCY_TO_OFFICE)
    text = page(office, url("participant", world.contract.uuid, p.ref), show="records")
    assert "Refused" in text  # not accepted yet: the refusal is shown with its reason
    assert AccessLog.objects.filter(participant_ref=p.ref, outcome="refused").exists()
    agency = http(world.agency)
    assert "Decide as the data owner" in page(agency, url("request", world.contract.uuid, request.uuid))
    response = agency.post(url("request_action", world.contract.uuid, request.uuid), {"action": "reject"}, follow=True)
    assert "Say why" in response.content.decode()
    agency.post(
        url("request_action", world.contract.uuid, request.uuid),
        {"action": "approve", "field": ["events", "placements"], "note": "bez dokumentów"},
    )
    request.refresh_from_db()
    assert request.status == SharingStatus.ACTIVE
    assert request.approved_fields == ["events", "placements"]
    actions.record_event(
        actor=world.agency, participant=p, type=ActivationEvent.Type.DIAGNOSIS, occurred_at=clock.now(), details={}
    )
    sharing.sync_request(actor=world.agency, request=request)
    text = page(office, url("participant", world.contract.uuid, p.ref), show="records")
    timeline = text.split('id="timeline-title"')[1].split("</section>")[0]
    assert "agency&#x27;s record" in timeline or "agency's record" in timeline
    assert "diagnosis" in text.lower()
    assert "Refused" not in text
    log = page(office, url("access_log", world.contract.uuid, p.ref))
    assert "Read" in log or "read" in log


def test_office_cannot_decide_its_own_request_to_the_agency(world: World) -> None:
    (p,) = referred(world)
    request = sharing.create_request(
        actor=world.office,
        contract=world.contract,
        direction=Direction.AGENCY_TO_OFFICE,
        purpose=SharingPurpose.objects.get(code="monitoring"),
        fields=["events"],
        participants=[p],
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=10),
        submit=True,
    )
    office = http(world.office)
    assert "Decide as the data owner" not in page(office, url("request", world.contract.uuid, request.uuid))
    office.post(url("request_action", world.contract.uuid, request.uuid), {"action": "approve", "field": ["events"]})
    request.refresh_from_db()
    assert request.status == SharingStatus.SUBMITTED
    office.post(url("request_action", world.contract.uuid, request.uuid), {"action": "bogus"})
    office.post(url("request_action", world.contract.uuid, request.uuid), {"action": "withdraw"})
    request.refresh_from_db()
    assert request.status == SharingStatus.WITHDRAWN


# --- Agency pages -------------------------------------------------------------------------------


def test_agency_records_event_with_evidence_placement_and_check(world: World) -> None:
    (p,) = referred(world)
    agency = http(world.agency)
    base = url("participant", world.contract.uuid, p.ref)
    agency.post(base + "status/", {"to": "admitted"})
    agency.post(base + "status/", {"to": "plan_agreed"})
    agency.post(base + "status/", {"to": "in_activation"})
    p.refresh_from_db()
    assert p.status == ParticipantStatus.IN_ACTIVATION
    when = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    response = agency.post(
        base + "events/",
        {"type": "training", "occurred_at": when, "hours_planned": "10", "hours_attended": "12"},
        follow=True,
    )
    assert "Hours attended" in response.content.decode() or "hours" in response.content.decode().lower()
    agency.post(
        base + "events/",
        {
            "type": "individual_plan",
            "occurred_at": when,
            "note": "IPD",
            "evidence": SimpleUploadedFile("ipd.pdf", PDF, content_type="application/pdf"),
        },
    )
    event = ActivationEvent.objects.get(participant=p, type="individual_plan")
    assert event.evidence.count() == 1
    response = agency.post(
        base + "placements/",
        {
            "employer_nip": "123",
            "position": "",
            "occupation_code": "999999",
            "contract_type": "employment",
            "working_time": "abc",
            "start_date": "x",
            "verified_by": "employer",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Placement.objects.exists()
    start = today() - dt.timedelta(days=20)
    agency.post(
        base + "placements/",
        {
            "employer_nip": "5261040828",
            "position": "magazynier",
            "occupation_code": "432103",
            "contract_type": "employment",
            "working_time": "3/4",
            "start_date": start.isoformat(),
            "verified_by": "employer",
        },
    )
    placement = Placement.objects.get(participant=p)
    assert str(placement.working_time) == "0.750"
    check = placement.retention_checks.get(days=14)
    text = page(agency, base)
    assert "Employment check after 14 days" in text
    agency.post(base + f"checks/{check.pk}/", {"employed": "yes"})
    check.refresh_from_db()
    assert check.employed is True
    p.refresh_from_db()
    assert p.status == ParticipantStatus.RETAINED_14
    later = placement.retention_checks.get(days=90)
    response = agency.post(base + f"checks/{later.pk}/", {"employed": "yes"}, follow=True)
    assert "cannot be recorded earlier" in response.content.decode()
    assert agency.post(base + "checks/999999/", {"employed": "yes"}).status_code == 404


def test_claim_refused_reasons_then_approved_and_settled(world: World) -> None:
    (p,) = referred(world)
    for to in ("admitted", "plan_agreed", "in_activation"):
        actions.change_participant_status(actor=world.agency, participant=p, to=to)
    actions.record_event(
        actor=world.agency, participant=p, type="individual_plan", occurred_at=clock.now() - dt.timedelta(days=1)
    )
    agency = http(world.agency)
    agency.post(url("refresh", world.contract.uuid))
    line = TrancheLine.objects.get(participant=p, definition__order=1)
    response = agency.post(url("line", world.contract.uuid, line.pk), {"action": "claim"}, follow=True)
    assert "requires evidence" in response.content.decode()
    placement_line = TrancheLine.objects.get(participant=p, definition__order=2)
    response = agency.post(url("line", world.contract.uuid, placement_line.pk), {"action": "claim"}, follow=True)
    assert response.status_code == 200
    placement_line.refresh_from_db()
    assert placement_line.status == TrancheStatus.NOT_DUE
    event = ActivationEvent.objects.get(participant=p, type="individual_plan")
    agency.post(
        url("evidence", world.contract.uuid, p.ref, event.uuid),
        {"evidence": SimpleUploadedFile("ipd.pdf", PDF, content_type="application/pdf")},
    )
    agency.post(url("line", world.contract.uuid, line.pk), {"action": "claim"})
    line.refresh_from_db()
    assert line.status == TrancheStatus.CLAIMED
    office = http(world.office)
    response = office.post(url("line", world.contract.uuid, line.pk), {"action": "reject"}, follow=True)
    assert "Say why" in response.content.decode()
    office.post(url("line", world.contract.uuid, line.pk), {"action": "reject", "note": "brak podpisu"})
    line.refresh_from_db()
    assert line.status == TrancheStatus.REJECTED
    assert line.note == "brak podpisu"
    agency.post(url("line", world.contract.uuid, line.pk), {"action": "dispute", "note": "podpis jest na str. 2"})
    line.refresh_from_db()
    assert line.status == TrancheStatus.DISPUTED
    office.post(url("line", world.contract.uuid, line.pk), {"action": "approve"})
    line.refresh_from_db()
    assert line.status == TrancheStatus.APPROVED
    agency.post(
        url("open_settlement", world.contract.uuid),
        {"period_start": (today() - dt.timedelta(days=30)).isoformat(), "period_end": today().isoformat()},
    )
    settlement = world.contract.settlements.get()
    assert settlement.total == line.amount
    agency.post(url("settlement_action", world.contract.uuid, settlement.uuid), {"action": "submit"})
    settlement.refresh_from_db()
    assert settlement.status == "open"
    agency.post(
        url("settlement_action", world.contract.uuid, settlement.uuid),
        {"action": "submit", "invoice_reference": "=FV/1/2026"},
    )
    office.post(url("settlement_action", world.contract.uuid, settlement.uuid), {"action": "accept"})
    office.post(url("settlement_action", world.contract.uuid, settlement.uuid), {"action": "pay"})
    settlement.refresh_from_db()
    assert settlement.status == "paid"
    text = page(office, url("settlement", world.contract.uuid))
    assert str(line.amount) in text
    response = office.get(url("settlement_csv", world.contract.uuid, settlement.uuid))
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert any(cell == "'=FV/1/2026" for row in rows for cell in row)
    assert any(row[:1] == [p.ref] for row in rows)
    assert http(world.agency_b).get(url("settlement_csv", world.contract.uuid, settlement.uuid)).status_code == 404


def test_progress_csv_is_formula_safe_and_scoped(world: World) -> None:
    (p,) = referred(world)
    world.participants(1)
    for user, expected in ((world.office, 2), (world.agency, 1)):
        response = http(user).get(url("report_csv", world.contract.uuid))
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        refs = [row[0] for row in rows if row and row[0].startswith("P-")]
        assert len(refs) == expected
        assert p.ref in refs
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert AuditRecord.objects.filter(action="contracting.report.exported").count() == 2
    exports = AccessLog.objects.filter(participant_ref=p.ref, action="export")
    assert exports.count() == 2  # one per export that held the participant, with what it held
    assert "status" in exports.first().fields  # type: ignore[union-attr]


def test_messages_per_contract_and_participant(world: World) -> None:
    (p,) = referred(world)
    office = http(world.office)
    office.post(url("messages", world.contract.uuid), {"body": "Proszę o raport", "participant": p.ref})
    office.post(url("messages", world.contract.uuid), {"body": "   "})
    assert ContractMessage.objects.count() == 1
    agency = http(world.agency)
    assert "Proszę o raport" in page(agency, url("messages", world.contract.uuid), participant=p.ref)
    assert ContractMessage.objects.get().read_at is not None
    (hidden,) = world.participants(1)
    assert agency.get(url("messages", world.contract.uuid), {"participant": hidden.ref}).status_code == 404
    assert http(world.agency_b).get(url("messages", world.contract.uuid)).status_code == 404


def test_every_page_renders_in_polish_for_both_sides(world: World) -> None:
    (p,) = referred(world)
    request = DataSharingRequest.objects.get()
    for user in (world.office, world.agency):
        client = Client(HTTP_ACCEPT_LANGUAGE="pl")
        client.force_login(user)
        for address in (
            url("contracts"),
            url("contract", world.contract.uuid),
            url("participant", world.contract.uuid, p.ref),
            url("access_log", world.contract.uuid, p.ref),
            url("new_request", world.contract.uuid) + "?purpose=activation",
            url("request", world.contract.uuid, request.uuid),
            url("settlement", world.contract.uuid),
            url("messages", world.contract.uuid),
        ):
            assert client.get(address).status_code == 200, (user, address)


def test_the_demo_story_on_the_desk(settings: Any, tmp_path: Any) -> None:
    """Every page of every demo contract renders for ``kontrakty.bialystok`` and ``agencja``."""
    from okienko.accounts import demo as accounts_demo
    from okienko.contracting import demo as contracting_demo
    from okienko.contracting.models import Contract
    from okienko.contracting.registry import demo as registry_demo

    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    accounts_demo.load(stdout=out)
    registry_demo.load(stdout=out)
    contracting_demo.load(stdout=out)
    for username in ("kontrakty.bialystok", "agencja"):
        user = User.objects.get(username=username)
        client = Client(HTTP_ACCEPT_LANGUAGE="pl")
        client.force_login(user)
        listing = client.get(url("contracts"))
        assert listing.status_code == 200
        contracts = [c for c in Contract.objects.all() if c.number in listing.content.decode()]
        assert contracts, username
        for contract in contracts:
            c = contract.uuid
            addresses = (url("contract", c), url("settlement", c), url("messages", c), url("report_csv", c))
            for address in (*addresses, url("report_pdf", c)):
                assert client.get(address).status_code == 200, (username, address)
            for request in contract.sharing_requests.all():
                assert client.get(url("request", c, request.uuid)).status_code == 200
            for settlement in contract.settlements.all():
                assert client.get(url("settlement_csv", c, settlement.uuid)).status_code == 200
                assert client.get(url("settlement_pdf", c, settlement.uuid)).status_code == 200
            for participant in contract.participants.all()[:5]:
                status = client.get(url("participant", c, participant.ref)).status_code
                assert status in (200, 404), (username, participant.ref, status)
                if status == 200:
                    assert client.get(url("access_log", c, participant.ref)).status_code == 200


def test_the_histories_name_statuses_in_polish_not_by_their_codes(world: World) -> None:
    """The participant's timeline and a request's history read as Polish, with Polish dates."""
    (p,) = referred(world)
    polish = Client(HTTP_ACCEPT_LANGUAGE="pl")
    polish.force_login(world.agency)
    text = page(polish, url("participant", world.contract.uuid, p.ref))
    assert "dane udostępnione → skierowany" in text
    assert "shared → referred" not in text
    assert not re.search(r">\d{4}-\d\d-\d\d \d\d:\d\d</time>", text)
    request = DataSharingRequest.objects.get(contract=world.contract)
    polish.force_login(world.office)
    text = page(polish, url("request", world.contract.uuid, request.uuid))
    assert "projekt → złożony" in text
    assert "draft → submitted" not in text
    log = page(polish, url("access_log", world.contract.uuid, p.ref))
    assert "Imię" in log  # the field's name, not its code
    assert "first_name" not in log
    b"".join(polish.get(url("report_csv", world.contract.uuid)).streaming_content)  # type: ignore[attr-defined]
    log = page(polish, url("access_log", world.contract.uuid, p.ref))
    assert "sprawozdanie z postępu" in log
    assert "data skierowania" in log
    assert "referral_date" not in log
    assert "progress_report" not in log


def test_a_shared_education_level_is_shown_by_its_name(world: World) -> None:
    person = world.person(world.contract.office, education_level="zasadnicze_zawodowe")
    (p,) = actions.nominate(actor=world.office, contract=world.contract, persons=[person])
    world.share([p])
    polish = Client(HTTP_ACCEPT_LANGUAGE="pl")
    polish.force_login(world.agency)
    text = page(polish, url("participant", world.contract.uuid, p.ref))
    assert "zasadnicze zawodowe" in text
    assert "zasadnicze_zawodowe" not in text

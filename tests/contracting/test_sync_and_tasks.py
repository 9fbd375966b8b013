"""Synchronisation (only what changed is sent again; approved requests flow once the contract is
signed), the scheduled task, settlement corrections and the access log command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from okienko.contracting import access, actions, settlement, sharing, tasks
from okienko.contracting.models import (
    AccessLog,
    ActivationEvent,
    Contract,
    DataSharingRequest,
    Participant,
    Settlement,
    SharedRecord,
    SharingPurpose,
    TrancheLine,
)
from okienko.contracting.states import ContractStatus, ParticipantStatus, SettlementStatus, SharingStatus
from okienko.core import clock
from okienko.core.errors import Conflict, NotFound
from tests.contracting.domain import PDF, World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_unchanged_payload_is_not_sent_again_a_changed_one_is(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p], fields=["first_name", "email"])
    assert sharing.sync_request(actor=world.office, request=request) == []
    assert p.person is not None
    p.person.email = "nowy@example.pl"
    p.person.save()
    (record,) = sharing.sync_request(actor=world.office, request=request)
    assert record.fields["email"] == "nowy@example.pl"
    assert access.read_registry_data(world.agency, world.contract, p.ref).fields["email"] == "nowy@example.pl"
    assert AccessLog.objects.filter(action="transfer", participant_ref=p.ref).count() == 2


def test_requests_approved_before_signature_flow_once_signed(world: World) -> None:
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.DRAFT)
    world.contract.refresh_from_db()
    (p,) = world.participants(1)
    request = world.share([p])
    assert request.status == SharingStatus.APPROVED
    assert not SharedRecord.objects.exists()
    with pytest.raises(access.AccessRefused):
        access.read_registry_data(world.agency, world.contract, p.ref)
    actions.change_contract_status(actor=world.office, contract=world.contract, to=ContractStatus.SIGNED)
    request.refresh_from_db()
    assert request.status == SharingStatus.ACTIVE
    assert access.read_registry_data(world.agency, world.contract, p.ref).fields
    p.refresh_from_db()
    assert p.status == ParticipantStatus.SHARED


def test_the_scheduled_task_runs_every_job(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p])
    DataSharingRequest.objects.filter(pk=request.pk).update(last_synced_at=clock.now() - dt.timedelta(days=2))
    Contract.objects.filter(pk=world.contract_b.pk).update(end_date=clock.local_now().date() - dt.timedelta(days=1))
    result = tasks.remind_retention_checks()
    assert result == {"contracts": 3, "expired": 0, "synced": 0, "deregistered": 0, "reminded": 0, "eligible": 0}
    world.contract_b.refresh_from_db()
    assert world.contract_b.status == ContractStatus.CLOSING_DATA
    request.refresh_from_db()
    assert request.last_synced_at is not None
    assert request.last_synced_at > clock.now() - dt.timedelta(minutes=5)


def _approved_line(world: World) -> TrancheLine:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p)
    for status in (ParticipantStatus.ADMITTED, ParticipantStatus.PLAN_AGREED):
        actions.change_participant_status(actor=world.agency, participant=p, to=status)
    event = actions.record_event(
        actor=world.agency, participant=p, type=ActivationEvent.Type.INDIVIDUAL_PLAN, occurred_at=clock.now()
    )
    actions.attach_evidence(actor=world.agency, event=event, data=PDF, name="ipd.pdf")
    settlement.refresh_tranche_lines(contract=world.contract)
    line = TrancheLine.objects.select_related("definition", "participant__contract").get(
        participant=p, definition__order=1
    )
    settlement.claim_tranche(actor=world.agency, line=line)
    settlement.verify_claim(actor=world.office, line=line)
    settlement.approve_claim(actor=world.office, line=line)
    return line


def test_a_settlement_is_returned_corrected_and_a_late_line_goes_to_a_correction(world: World) -> None:
    _approved_line(world)
    today = clock.local_now().date()
    start, end = today - dt.timedelta(days=30), today
    item = settlement.open_settlement(actor=world.agency, contract=world.contract, period_start=start, period_end=end)
    assert item.total == Decimal("1000.00")
    with pytest.raises(Conflict):
        settlement.open_settlement(actor=world.agency, contract=world.contract, period_start=start, period_end=end)
    settlement.submit_settlement(actor=world.agency, settlement=item, invoice_reference="FV/1")
    settlement.return_settlement(actor=world.office, settlement=item, note="zły numer faktury")
    settlement.submit_settlement(actor=world.agency, settlement=item, invoice_reference="FV/1/K")
    settlement.accept_settlement(actor=world.office, settlement=item)
    settlement.pay_settlement(actor=world.office, settlement=item)
    item.refresh_from_db()
    assert (item.status, item.invoice_reference) == (SettlementStatus.PAID, "FV/1/K")
    # A line approved later for the same period goes to a correction of the paid settlement.
    _approved_line(world)
    correction = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=start, period_end=end, corrects=item
    )
    assert (correction.kind, correction.corrects, correction.total) == (
        Settlement.Kind.CORRECTION,
        item,
        Decimal("1000.00"),
    )
    assert Participant.objects.filter(tranche_lines__settlement=correction).count() == 1


def test_the_access_log_command(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p])
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    assert "intact: 1 entries" in out.getvalue()
    from tests.contracting.test_accesslog import triggers_lifted

    with triggers_lifted():
        AccessLog.objects.update(reason="x")
    with pytest.raises(CommandError, match="broken at entry 1"):
        call_command("verify_access_log")


def _with_event(world: World) -> Participant:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p)
    actions.change_participant_status(actor=world.agency, participant=p, to=ParticipantStatus.ADMITTED)
    actions.record_event(
        actor=world.agency,
        participant=p,
        type=ActivationEvent.Type.MEETING,
        occurred_at=clock.now() - dt.timedelta(hours=2),
        details={"topic": "spotkanie"},
    )
    return p


def test_the_office_timeline_shows_agency_events_only_through_an_active_request(world: World) -> None:
    p = _with_event(world)
    office_view = access.participant_timeline(world.office, world.contract, p.ref)
    assert [i.kind for i in office_view if i.source != "contract"] == []
    agency_view = access.participant_timeline(world.agency, world.contract, p.ref)
    assert [(i.kind, i.source) for i in agency_view if i.source != "contract"] == [("meeting", "own")]
    request = sharing.create_request(
        actor=world.office,
        contract=world.contract,
        direction="agency_to_office",
        purpose=SharingPurpose.objects.get(code="monitoring"),
        fields=["events"],
        participants=[p],
        valid_from=clock.local_now().date(),
        valid_until=clock.local_now().date() + dt.timedelta(days=5),
        submit=True,
    )
    sharing.decide_request(actor=world.agency, request=request, approved_fields=["events"])
    office_view = access.participant_timeline(world.office, world.contract, p.ref)
    assert [(i.kind, i.source, i.details) for i in office_view if i.source != "contract"] == [
        ("meeting", "shared", {"topic": "spotkanie"})
    ]
    assert AccessLog.objects.filter(action="read", participant_ref=p.ref, institution_id=world.pup.pk).exists()
    with pytest.raises(NotFound):
        access.participant_timeline(world.office_b, world.contract, p.ref)


def test_exports_are_logged_per_participant(world: World) -> None:
    a, b = world.participants(2)
    access.record_export(
        world.office, world.contract, participant_refs=[a.ref, b.ref], fields=["status"], purpose="report"
    )
    entries = AccessLog.objects.filter(action="export").order_by("id")
    assert [(e.participant_ref, e.institution_id, e.purpose) for e in entries] == [
        (a.ref, world.pup.pk, "report"),
        (b.ref, world.pup.pk, "report"),
    ]


def test_progress_of_many_contracts_in_one_query(world: World, django_assert_num_queries: Any) -> None:
    _with_event(world)
    with django_assert_num_queries(1):
        progress = actions.indicator_progress_many([world.contract, world.contract_b])
    assert progress[world.contract.pk]["admitted"] == {"target": 80, "reached": 1}
    assert progress[world.contract_b.pk]["referred"] == {"target": 100, "reached": 0}


def test_registry_deregistrations_become_side_exits(world: World) -> None:
    waiting, placed = world.participants(2)
    from okienko.contracting.models import Participant as P

    P.objects.filter(pk=placed.pk).update(status=ParticipantStatus.PLACED)
    for p in (waiting, placed):
        assert p.person is not None
        p.person.status = "deregistered"
        p.person.save()
    assert actions.apply_registry_deregistrations() == 1
    waiting.refresh_from_db()
    placed.refresh_from_db()
    assert (waiting.status, waiting.exit_reason) == (ParticipantStatus.DEREGISTERED, "deregistered")
    assert placed.status == ParticipantStatus.PLACED
    assert actions.apply_registry_deregistrations() == 0

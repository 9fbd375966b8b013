"""Every Kontraktor state machine, exhaustively: the tables are exactly CONTRACTING.md's, every
allowed transition works through its action for the side allowed (history row and audit entry),
and every other pair of statuses — and every allowed pair for a side not allowed — is refused
with the status unchanged."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from okienko.contracting import actions, settlement, sharing
from okienko.contracting.models import (
    Contract,
    DataSharingRequest,
    Direction,
    Participant,
    Settlement,
    SharingPurpose,
    TrancheLine,
)
from okienko.contracting.states import (
    AGENCY,
    APPROVER,
    CONTRACT,
    OFFICE,
    PARTICIPANT,
    REQUESTER,
    SETTLEMENT,
    SHARING,
    SYSTEM,
    TRANCHE,
    ContractStatus,
    Machine,
    ParticipantStatus,
    SettlementStatus,
    SharingStatus,
    TrancheStatus,
)
from okienko.core import clock
from okienko.core.actors import SCHEDULER, Actor
from okienko.core.errors import TransitionNotAllowed
from okienko.core.models import AuditRecord
from tests.contracting.domain import World, today, world_fixture  # noqa: F401

CS, PS, SS, TS, ST = ContractStatus, ParticipantStatus, SharingStatus, TrancheStatus, SettlementStatus


def pairs(machine: Machine) -> list[Any]:
    return [
        pytest.param(frm, to, id=f"{frm}->{to}")
        for frm, to in itertools.product(machine.statuses, machine.statuses)
        if frm != to
    ]


# --- The tables are the documented ones ----------------------------------------------------------

EXPECTED_CONTRACT = {
    ("draft", "signed"),
    ("draft", "cancelled"),
    ("signed", "cancelled"),
    ("signed", "active"),
    ("active", "suspended"),
    ("suspended", "active"),
    ("active", "ended"),
    ("suspended", "ended"),
    ("ended", "settling"),
    ("settling", "closing_data"),
    ("closing_data", "closed"),
}
_PROG = ["referred", "admitted", "plan_agreed", "in_activation"]
_EMPL = ["placed", "retained_14", "retained_90"]
EXPECTED_PARTICIPANT = {
    ("nominated", "shared"),
    ("shared", "referred"),
    ("referred", "admitted"),
    ("referred", "not_reported"),
    ("admitted", "plan_agreed"),
    ("plan_agreed", "in_activation"),
    ("in_activation", "placed"),
    ("placed", "retained_14"),
    ("retained_14", "retained_90"),
    ("retained_90", "retained_180"),
    ("retained_90", "completed"),
    ("retained_180", "completed"),
    *((s, "in_activation") for s in _EMPL),
    *((s, "dropped_out") for s in ["admitted", "plan_agreed", "in_activation", *_EMPL]),
    *((s, "deregistered") for s in ["nominated", "shared", *_PROG]),
    *((s, "transferred") for s in ["nominated", "shared", *_PROG]),
}
EXPECTED_SHARING = {
    ("draft", "submitted"),
    ("submitted", "approved"),
    ("submitted", "partially_approved"),
    ("submitted", "rejected"),
    ("submitted", "withdrawn"),
    ("approved", "active"),
    ("partially_approved", "active"),
    *((s, e) for s in ["approved", "partially_approved", "active"] for e in ["expired", "revoked", "contract_ended"]),
    ("draft", "contract_ended"),
    ("submitted", "contract_ended"),
}
EXPECTED_TRANCHE = {
    ("not_due", "eligible"),
    ("not_due", "forfeited"),
    ("eligible", "claimed"),
    ("claimed", "verifying"),
    ("verifying", "approved"),
    ("verifying", "rejected"),
    ("approved", "invoiced"),
    ("invoiced", "paid"),
    ("rejected", "disputed"),
    ("disputed", "approved"),
    ("disputed", "rejected"),
}
EXPECTED_SETTLEMENT = {("open", "submitted"), ("submitted", "open"), ("submitted", "accepted"), ("accepted", "paid")}


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        pytest.param(CONTRACT, EXPECTED_CONTRACT, id="contract"),
        pytest.param(PARTICIPANT, EXPECTED_PARTICIPANT, id="participant"),
        pytest.param(SHARING, EXPECTED_SHARING, id="sharing"),
        pytest.param(TRANCHE, EXPECTED_TRANCHE, id="tranche"),
        pytest.param(SETTLEMENT, EXPECTED_SETTLEMENT, id="settlement"),
    ],
)
def test_the_table_is_the_documented_one(machine: Machine, expected: set[tuple[str, str]]) -> None:
    """The allowed pairs are exactly those of CONTRACTING.md, and final statuses lead nowhere."""
    assert set(machine.transitions) == expected
    assert not [pair for pair in machine.transitions if pair[0] in machine.final]


@pytest.mark.parametrize(
    "machine",
    [pytest.param(m, id=m.name.replace(" ", "_")) for m in (CONTRACT, PARTICIPANT, SHARING, TRANCHE, SETTLEMENT)],
)
def test_check_refuses_everything_outside_the_table(machine: Machine) -> None:
    """``check`` accepts exactly the (pair, side) combinations in the table."""
    for frm, to in itertools.product(machine.statuses, machine.statuses):
        for side in (OFFICE, AGENCY, SYSTEM, REQUESTER, APPROVER):
            allowed = side in machine.transitions.get((frm, to), frozenset())
            if allowed:
                machine.check(frm, to, side)
            else:
                with pytest.raises(TransitionNotAllowed):
                    machine.check(frm, to, side)


def test_agency_never_changes_a_contract_status() -> None:
    assert not [pair for pair, sides in CONTRACT.transitions.items() if AGENCY in sides]


def test_only_the_office_or_the_system_shares_and_refers() -> None:
    assert PARTICIPANT.transitions[("nominated", "shared")] == {OFFICE, SYSTEM}
    assert PARTICIPANT.transitions[("shared", "referred")] == {OFFICE}


# --- Through the actions -------------------------------------------------------------------------


def _actor_for(world: World, side: str) -> Any:
    return {OFFICE: world.office, AGENCY: world.agency, SYSTEM: SCHEDULER}[side]


def _audited(obj: Any, before: str, after: str) -> bool:
    return AuditRecord.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), changes__status=[before, after]
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), pairs(CONTRACT))
def test_contract_transition(world: World, frm: str, to: str) -> None:
    contract = world.contract
    Contract.objects.filter(pk=contract.pk).update(
        status=frm, office_certified_at=clock.now(), agency_certified_at=clock.now()
    )
    contract.refresh_from_db()
    sides = CONTRACT.transitions.get((frm, to))
    if sides is None:
        for actor in (world.office, world.agency, SCHEDULER):
            with pytest.raises(TransitionNotAllowed):
                actions.change_contract_status(actor=actor, contract=contract, to=to)
        contract.refresh_from_db()
        assert contract.status == frm
        return
    with pytest.raises(TransitionNotAllowed):
        actions.change_contract_status(actor=world.agency, contract=contract, to=to)
    side = OFFICE if OFFICE in sides else SYSTEM
    actions.change_contract_status(actor=_actor_for(world, side), contract=contract, to=to)
    contract.refresh_from_db()
    assert contract.status == to
    row = contract.transitions.get()
    assert (row.from_status, row.to_status, row.side) == (frm, to, side)
    assert _audited(contract, frm, to)


@pytest.mark.django_db
def test_a_contract_closes_only_with_both_certificates(world: World) -> None:
    contract = world.contract
    Contract.objects.filter(pk=contract.pk).update(status=CS.CLOSING_DATA)
    contract.refresh_from_db()
    with pytest.raises(Exception, match="poświadczą"):
        actions.change_contract_status(actor=world.office, contract=contract, to=CS.CLOSED)
    actions.certify_data_closure(actor=world.office, contract=contract)
    actions.certify_data_closure(actor=world.agency, contract=contract)
    actions.change_contract_status(actor=world.office, contract=contract, to=CS.CLOSED)
    assert contract.status == CS.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), pairs(PARTICIPANT))
def test_participant_transition(world: World, frm: str, to: str) -> None:
    (participant,) = world.participants(1)
    Participant.objects.filter(pk=participant.pk).update(status=frm)
    participant.refresh_from_db()
    # The agency is a side of the participant's contract only for people it may know of.
    world.share([participant])
    Participant.objects.filter(pk=participant.pk).update(status=frm)
    participant.refresh_from_db()
    sides = PARTICIPANT.transitions.get((frm, to))
    if sides is None:
        for actor in (world.office, world.agency, SCHEDULER):
            with pytest.raises(TransitionNotAllowed):
                actions.change_participant_status(actor=actor, participant=participant, to=to)
        participant.refresh_from_db()
        assert participant.status == frm
        return
    for side in {OFFICE, AGENCY, SYSTEM} - sides:
        with pytest.raises(TransitionNotAllowed):
            actions.change_participant_status(actor=_actor_for(world, side), participant=participant, to=to)
    side = sorted(sides)[0]
    actions.change_participant_status(actor=_actor_for(world, side), participant=participant, to=to)
    participant.refresh_from_db()
    assert participant.status == to
    row = participant.transitions.order_by("-id").first()
    assert row is not None
    assert (row.from_status, row.to_status, row.side) == (frm, to, side)
    assert _audited(participant, frm, to)


@pytest.mark.django_db
def test_back_to_activation_only_while_the_contract_runs(world: World) -> None:
    (participant,) = world.participants(1)
    Participant.objects.filter(pk=participant.pk).update(status=PS.PLACED)
    participant.refresh_from_db()
    Contract.objects.filter(pk=world.contract.pk).update(status=CS.ENDED)
    participant.contract.refresh_from_db()
    with pytest.raises(Exception, match="nie trwa"):
        actions.change_participant_status(actor=world.agency, participant=participant, to=PS.IN_ACTIVATION)


def _request(world: World, status: str) -> DataSharingRequest:
    """A request in ``status`` where the agency is the requester and the office the data owner."""
    participants = world.participants(1)
    request = sharing.create_request(
        actor=world.agency,
        contract=world.contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["first_name", "email"],
        participants=participants,
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=30),
    )
    DataSharingRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), pairs(SHARING))
def test_sharing_request_transition(world: World, frm: str, to: str) -> None:
    request = _request(world, frm)
    actors: dict[str, Actor] = {REQUESTER: world.agency, APPROVER: world.office, SYSTEM: SCHEDULER}
    sides = SHARING.transitions.get((frm, to))
    if sides is None:
        for actor in actors.values():
            with pytest.raises(TransitionNotAllowed):
                sharing._move(request, to, actor)
        request.refresh_from_db()
        assert request.status == frm
        return
    for side in set(actors) - sides:
        with pytest.raises(TransitionNotAllowed):
            sharing._move(request, to, actors[side])
    side = sorted(sides)[0]
    assert sharing._move(request, to, actors[side]) == side
    request.refresh_from_db()
    assert request.status == to
    assert request.transitions.filter(from_status=frm, to_status=to, side=side).exists()
    assert _audited(request, frm, to)


def _line(world: World, status: str) -> TrancheLine:
    (participant,) = world.participants(1)
    Participant.objects.filter(pk=participant.pk).update(status=PS.REFERRED)
    settlement.refresh_tranche_lines(contract=world.contract)
    line = TrancheLine.objects.filter(participant=participant).order_by("definition__order").first()
    assert line is not None
    TrancheLine.objects.filter(pk=line.pk).update(status=status)
    line.refresh_from_db()
    return line


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), pairs(TRANCHE))
def test_tranche_line_transition(world: World, frm: str, to: str) -> None:
    line = _line(world, frm)
    sides = TRANCHE.transitions.get((frm, to))
    if sides is None:
        for side in (OFFICE, AGENCY, SYSTEM):
            with pytest.raises(TransitionNotAllowed):
                settlement._move_line(line, to, _actor_for(world, side))
        line.refresh_from_db()
        assert line.status == frm
        return
    for side in {OFFICE, AGENCY, SYSTEM} - sides:
        with pytest.raises(TransitionNotAllowed):
            settlement._move_line(line, to, _actor_for(world, side))
    side = sorted(sides)[0]
    settlement._move_line(line, to, _actor_for(world, side))
    line.refresh_from_db()
    assert line.status == to
    assert line.transitions.filter(from_status=frm, to_status=to, side=side).exists()
    assert _audited(line, frm, to)


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), pairs(SETTLEMENT))
def test_settlement_transition(world: World, frm: str, to: str) -> None:
    now = clock.now()
    item = Settlement.objects.create(
        contract=world.contract,
        period_start=today() - dt.timedelta(days=30),
        period_end=today(),
        status=frm,
        total=Decimal("0.00"),
        created_at=now,
        updated_at=now,
    )
    sides = SETTLEMENT.transitions.get((frm, to))
    if sides is None:
        for side in (OFFICE, AGENCY, SYSTEM):
            with pytest.raises(TransitionNotAllowed):
                settlement._move_settlement(item, to, _actor_for(world, side))
        item.refresh_from_db()
        assert item.status == frm
        return
    for side in {OFFICE, AGENCY, SYSTEM} - sides:
        with pytest.raises(TransitionNotAllowed):
            settlement._move_settlement(item, to, _actor_for(world, side))
    side = sorted(sides)[0]
    settlement._move_settlement(item, to, _actor_for(world, side))
    item.refresh_from_db()
    assert item.status == to
    assert item.transitions.filter(from_status=frm, to_status=to, side=side).exists()
    assert _audited(item, frm, to)


@pytest.mark.django_db
def test_a_side_of_another_contract_moves_nothing(world: World) -> None:
    """Agency B and office B are no side of contract A: every transition is refused."""
    contract = world.contract
    for to in CONTRACT.targets(contract.status):
        for actor in (world.agency_b, world.office_b, world.consultant):
            with pytest.raises(TransitionNotAllowed):
                actions.change_contract_status(actor=actor, contract=contract, to=to)

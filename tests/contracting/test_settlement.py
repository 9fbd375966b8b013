"""Tranche lines and settlements: eligible only after the trigger and the minimum days (a placement
only once a check confirmed the job), claims refused with the reason and audited, Decimal PLN."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from okienko.contracting import actions, settlement
from okienko.contracting.models import (
    ActivationEvent,
    Participant,
    Placement,
    TrancheDefinition,
    TrancheLine,
    TriggerEvent,
)
from okienko.contracting.settlement import ClaimRefused, Facts, eligibility
from okienko.contracting.states import ParticipantStatus, SettlementStatus, TrancheStatus
from okienko.core import clock
from okienko.core.models import AuditRecord
from tests.contracting.domain import PDF, World, today, world_fixture  # noqa: F401

PS, TS = ParticipantStatus, TrancheStatus
D = dt.date


def _definition(trigger: str, days: int) -> TrancheDefinition:
    return TrancheDefinition(order=1, name="t", trigger=trigger, minimum_days=days, percent=Decimal(10))


@pytest.mark.parametrize(
    ("trigger", "days", "facts", "on", "eligible", "reason"),
    [
        pytest.param(TriggerEvent.INDIVIDUAL_PLAN, 0, Facts(), D(2026, 3, 1), False, "trigger_missing", id="no-plan"),
        pytest.param(
            TriggerEvent.INDIVIDUAL_PLAN,
            0,
            Facts(first_event={"individual_plan": D(2026, 3, 1)}),
            D(2026, 3, 1),
            True,
            "",
            id="plan-same-day",
        ),
        pytest.param(
            TriggerEvent.TRAINING,
            30,
            Facts(first_event={"training": D(2026, 3, 1)}),
            D(2026, 3, 30),
            False,
            "minimum_days",
            id="training-day-29",
        ),
        pytest.param(
            TriggerEvent.TRAINING,
            30,
            Facts(first_event={"training": D(2026, 3, 1)}),
            D(2026, 3, 31),
            True,
            "",
            id="training-day-30",
        ),
        pytest.param(
            TriggerEvent.PLACEMENT, 0, Facts(first_placement=D(2026, 3, 1)), D(2026, 3, 1), True, "", id="placed"
        ),
        pytest.param(
            TriggerEvent.PLACEMENT,
            14,
            Facts(first_placement=D(2026, 3, 1), confirmed_days=14),
            D(2026, 3, 14),
            False,
            "minimum_days",
            id="kept-13-days",
        ),
        pytest.param(
            TriggerEvent.PLACEMENT,
            14,
            Facts(first_placement=D(2026, 3, 1)),
            D(2026, 3, 20),
            False,
            "not_confirmed",
            id="kept-unconfirmed",
        ),
        pytest.param(
            TriggerEvent.PLACEMENT,
            14,
            Facts(first_placement=D(2026, 3, 1), confirmed_days=14),
            D(2026, 3, 15),
            True,
            "",
            id="kept-14-confirmed",
        ),
        pytest.param(
            TriggerEvent.PLACEMENT,
            90,
            Facts(first_placement=D(2026, 3, 1), confirmed_days=14),
            D(2026, 7, 1),
            False,
            "not_confirmed",
            id="90-only-14-confirmed",
        ),
    ],
)
def test_the_eligibility_rule(trigger: str, days: int, facts: Facts, on: dt.date, eligible: bool, reason: str) -> None:
    rule = eligibility(_definition(trigger, days), facts, on)
    assert (rule.eligible, rule.reason) == (eligible, reason)


def test_amounts_are_decimal_grosz() -> None:
    d = TrancheDefinition(order=1, name="t", trigger="placement", percent=Decimal("33.33"))
    assert d.amount_for(Decimal("1000.00")) == Decimal("333.30")
    fixed = TrancheDefinition(order=1, name="t", trigger="placement", amount=Decimal("1234.56"))
    assert fixed.amount_for(Decimal("1000.00")) == Decimal("1234.56")
    assert isinstance(d.amount_for(Decimal("0.10")), Decimal)


def _activated(world: World) -> Participant:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p, on=today() - dt.timedelta(days=150))
    for status in (PS.ADMITTED, PS.PLAN_AGREED, PS.IN_ACTIVATION):
        actions.change_participant_status(actor=world.agency, participant=p, to=status)
    return p


def _lines(p: Participant) -> list[TrancheLine]:
    return list(
        TrancheLine.objects.filter(participant=p)
        .order_by("definition__order")
        .select_related("definition", "participant__contract")
    )


@pytest.mark.django_db
def test_the_whole_money_story(world: World) -> None:
    p = _activated(world)
    plan = actions.record_event(
        actor=world.agency,
        participant=p,
        type=ActivationEvent.Type.INDIVIDUAL_PLAN,
        occurred_at=clock.now() - dt.timedelta(days=120),
    )
    result = settlement.refresh_tranche_lines(contract=world.contract)
    assert (result.created, result.eligible) == (3, 1)
    first, kept, retained = _lines(p)
    assert (first.status, first.amount, first.currency) == (TS.ELIGIBLE, Decimal("1000.00"), "PLN")
    assert (kept.amount, retained.amount) == (Decimal("1500.00"), Decimal("2500.00"))

    # Evidence is required for the first tranche: refused, with the reason, audited.
    with pytest.raises(ClaimRefused) as excinfo:
        settlement.claim_tranche(actor=world.agency, line=first)
    assert excinfo.value.reason == "evidence_missing"
    assert AuditRecord.objects.filter(
        action="contracting.trancheline.claim_refused", data__reason="evidence_missing"
    ).exists()
    actions.attach_evidence(actor=world.agency, event=plan, data=PDF, name="ipd.pdf")
    settlement.claim_tranche(actor=world.agency, line=first)
    first.refresh_from_db()
    assert first.status == TS.CLAIMED

    # A placement 100 days ago: checks at 14 and 90 days are scheduled.
    placement = actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="magazynier",
        occupation_code="432103",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("1.000"),
        start_date=today() - dt.timedelta(days=100),
        verified_by=Placement.Verification.CONTRACT_COPY,
    )
    p.refresh_from_db()
    assert p.status == PS.PLACED
    checks = list(placement.retention_checks.order_by("days"))
    assert [(c.days, c.due_on) for c in checks] == [
        (14, placement.start_date + dt.timedelta(days=14)),
        (90, placement.start_date + dt.timedelta(days=90)),
    ]
    # Before the checks: the placement tranches are not due, and claiming says why.
    settlement.refresh_tranche_lines(contract=world.contract)
    kept.refresh_from_db()
    assert kept.status == TS.NOT_DUE
    with pytest.raises(ClaimRefused) as excinfo:
        settlement.claim_tranche(actor=world.agency, line=kept)
    assert excinfo.value.reason == "not_confirmed"

    actions.record_retention_check(actor=world.agency, check=checks[0], employed=True)
    event90 = actions.record_retention_check(actor=world.agency, check=checks[1], employed=True)
    p.refresh_from_db()
    assert p.status == PS.RETAINED_90
    result = settlement.refresh_tranche_lines(contract=world.contract)
    assert result.eligible == 2
    settlement.claim_tranche(actor=world.agency, line=kept)  # no evidence required
    with pytest.raises(ClaimRefused):
        settlement.claim_tranche(actor=world.agency, line=retained)
    actions.attach_evidence(actor=world.agency, event=event90, data=PDF, name="zus.pdf")
    settlement.claim_tranche(actor=world.agency, line=retained)

    for line in (first, kept, retained):
        line.refresh_from_db()
        settlement.verify_claim(actor=world.office, line=line)
    settlement.approve_claim(actor=world.office, line=first)
    settlement.approve_claim(actor=world.office, line=kept)
    settlement.reject_claim(actor=world.office, line=retained, note="brak potwierdzenia z ZUS")
    settlement.dispute_claim(actor=world.agency, line=retained, note="potwierdzenie w załączniku")
    settlement.approve_claim(actor=world.office, line=retained)

    item = settlement.open_settlement(
        actor=world.agency, contract=world.contract, period_start=today() - dt.timedelta(days=365), period_end=today()
    )
    assert item.total == Decimal("5000.00")
    assert item.lines.count() == 3
    settlement.submit_settlement(actor=world.agency, settlement=item, invoice_reference="FV/12/2026")
    settlement.accept_settlement(actor=world.office, settlement=item)
    settlement.pay_settlement(actor=world.office, settlement=item)
    item.refresh_from_db()
    assert (item.status, item.invoice_reference, item.total) == (
        SettlementStatus.PAID,
        "FV/12/2026",
        Decimal("5000.00"),
    )
    assert set(item.lines.values_list("status", flat=True)) == {TS.PAID}
    totals = settlement.contract_totals(world.contract)
    assert totals[TS.PAID] == Decimal("5000.00")
    assert all(isinstance(v, Decimal) for v in totals.values())


@pytest.mark.django_db
def test_a_claim_before_the_minimum_days_is_refused_with_the_date(world: World) -> None:
    p = _activated(world)
    actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="kasjer",
        occupation_code="523001",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("0.5"),
        start_date=today() - dt.timedelta(days=3),
        verified_by=Placement.Verification.EMPLOYER,
    )
    settlement.refresh_tranche_lines(contract=world.contract)
    kept = _lines(p)[1]
    with pytest.raises(ClaimRefused) as excinfo:
        settlement.claim_tranche(actor=world.agency, line=kept)
    assert excinfo.value.reason == "minimum_days"
    assert (today() + dt.timedelta(days=11)).isoformat() in str(excinfo.value)
    assert AuditRecord.objects.filter(
        action="contracting.trancheline.claim_refused", data__reason="minimum_days"
    ).exists()


@pytest.mark.django_db
def test_a_check_cannot_be_recorded_before_it_is_due(world: World) -> None:
    p = _activated(world)
    placement = actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="kasjer",
        occupation_code="523001",
        contract_type=Placement.ContractType.CIVIL,
        working_time=Decimal("0.25"),
        start_date=today() - dt.timedelta(days=3),
        verified_by=Placement.Verification.ZUS,
    )
    check = placement.retention_checks.get(days=14)
    with pytest.raises(Exception, match="przypada na"):
        actions.record_retention_check(actor=world.agency, check=check, employed=True)


@pytest.mark.django_db
def test_lines_of_a_participant_who_left_are_forfeited(world: World) -> None:
    p = _activated(world)
    actions.change_participant_status(actor=world.agency, participant=p, to=PS.DROPPED_OUT)
    result = settlement.refresh_tranche_lines(contract=world.contract)
    assert result.forfeited == 3
    assert {line.status for line in _lines(p)} == {TS.FORFEITED}
    # Idempotent.
    again = settlement.refresh_tranche_lines(contract=world.contract)
    assert (again.created, again.eligible, again.forfeited) == (0, 0, 0)


@pytest.mark.django_db
def test_a_job_lost_early_returns_the_participant_to_activation(world: World) -> None:
    p = _activated(world)
    placement = actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="kasjer",
        occupation_code="523001",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("1"),
        start_date=today() - dt.timedelta(days=20),
        verified_by=Placement.Verification.EMPLOYER,
    )
    check = placement.retention_checks.get(days=14)
    actions.record_retention_check(actor=world.agency, check=check, employed=False)
    p.refresh_from_db()
    placement.refresh_from_db()
    assert p.status == PS.IN_ACTIVATION
    assert placement.ended_early


@pytest.mark.django_db
def test_only_the_agency_claims_and_only_the_office_verifies(world: World) -> None:
    p = _activated(world)
    actions.record_event(
        actor=world.agency, participant=p, type=ActivationEvent.Type.INDIVIDUAL_PLAN, occurred_at=clock.now()
    )
    settlement.refresh_tranche_lines(contract=world.contract)
    first = _lines(p)[0]
    with pytest.raises(Exception):  # noqa: B017,PT011
        settlement.claim_tranche(actor=world.office, line=first)
    with pytest.raises(Exception):  # noqa: B017,PT011
        settlement.claim_tranche(actor=world.agency_b, line=first)


@pytest.mark.django_db
def test_placement_input_is_checked(world: World) -> None:
    p = _activated(world)
    with pytest.raises(Exception) as excinfo:  # noqa: PT011
        actions.record_placement(
            actor=world.agency,
            participant=p,
            employer_nip="1234567890",
            position="",
            occupation_code="43210",
            contract_type="x",
            working_time=Decimal("1.5"),
            start_date=today(),
            verified_by="y",
        )
    errors = getattr(excinfo.value, "errors", {})
    assert set(errors) == {
        "employer_nip",
        "position",
        "occupation_code",
        "contract_type",
        "working_time",
        "verified_by",
    }


@pytest.mark.django_db
def test_retention_reminders_are_sent_once(world: World) -> None:
    p = _activated(world)
    actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="kasjer",
        occupation_code="523001",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("1"),
        start_date=today() - dt.timedelta(days=20),
        verified_by=Placement.Verification.EMPLOYER,
    )
    assert actions.remind_retention_checks() == 1
    assert actions.remind_retention_checks() == 0
    message = world.contract.messages.get()
    assert (message.sender, message.recipient, message.participant_ref) == (world.pup, world.agency_org, p.ref)
    assert actions.unread_count(actor=world.agency, contract=world.contract) == 1

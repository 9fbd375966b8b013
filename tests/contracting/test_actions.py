"""Contracts, nominations, events, messages and identifiers: what the actions accept and refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okienko.contracting import actions
from okienko.contracting.models import ActivationEvent, Contract, InstitutionProfile, Participant
from okienko.contracting.states import ContractStatus, ParticipantStatus
from okienko.contracting.validators import is_participant_ref, make_regon, new_participant_ref, validate_regon
from okienko.core import clock
from okienko.core.errors import Conflict, Forbidden, InvalidInput
from okienko.core.models import AuditRecord, OutboxEvent
from tests.contracting.domain import World, today, world_fixture  # noqa: F401


def test_regon_checksums() -> None:
    assert validate_regon("123456785") == "123456785"
    assert validate_regon(make_regon(50_123_456)) == make_regon(50_123_456)
    assert validate_regon("12345678512347") == "12345678512347"
    for bad in ("123456789", "12345", "abcdefghi", "12345678512348"):
        with pytest.raises(ValidationError):
            validate_regon(bad)


def test_participant_references_are_random_and_well_formed() -> None:
    refs = {new_participant_ref() for _ in range(200)}
    assert len(refs) == 200
    assert all(is_participant_ref(r) for r in refs)
    assert not is_participant_ref("P-123")


@pytest.mark.django_db
def test_an_institution_profile_checks_nip_and_regon(world: World) -> None:
    profile = InstitutionProfile(organisation=world.agency_org, nip="1234567890", regon="123456789")
    with pytest.raises(ValidationError) as excinfo:
        profile.full_clean()
    assert {"nip", "regon"} <= set(excinfo.value.message_dict)
    profile.nip, profile.regon = "5260250274", "123456785"
    profile.full_clean()


@pytest.mark.django_db
def test_a_contract_is_created_by_the_office_only(world: World) -> None:
    def create(actor: object, **extra: object) -> Contract:
        values: dict[str, object] = {
            "office": world.pup,
            "agency": world.agency_org,
            "number": "ZL/9/2026",
            "scheme": world.scheme,
            "start_date": today(),
            "end_date": today() + dt.timedelta(days=90),
            "legal_basis": "art. 61b",
            "agency_role": Contract.AgencyRole.CONTROLLER,
            "end_policy": Contract.EndPolicy.DELETE,
            "planned_participants": 10,
            "price_per_participant": Decimal("1000.00"),
            **extra,
        }
        return actions.create_contract(actor=actor, **values)  # type: ignore[arg-type]

    with pytest.raises(Forbidden):
        create(world.agency)
    with pytest.raises(Forbidden):
        create(world.office_b)
    with pytest.raises(InvalidInput) as excinfo:
        create(world.office, agency=world.pup_b, end_date=today() - dt.timedelta(days=1), indicators={"x": 1})
    assert {"agency", "end_date", "indicators"} <= set(excinfo.value.errors)
    contract = create(world.office, region_office=world.wup)
    assert (contract.status, contract.currency) == (ContractStatus.DRAFT, "PLN")
    with pytest.raises(InvalidInput):
        create(world.office)  # the number is taken in this office
    assert AuditRecord.objects.filter(action="contracting.contract.created", object_id=str(contract.pk)).exists()


@pytest.mark.django_db
def test_the_wup_of_a_three_party_contract_is_on_the_office_side(world: World, make_user: object) -> None:
    from okienko.accounts.models import Membership
    from okienko.accounts.roles import Role
    from okienko.contracting import access
    from okienko.contracting.states import OFFICE

    Contract.objects.filter(pk=world.contract.pk).update(region_office=world.wup)
    world.contract.refresh_from_db()
    wup_manager = make_user("wup-manager")  # type: ignore[operator]
    Membership.objects.create(user=wup_manager, organisation=world.wup, role=Role.CONTRACT_MANAGER)
    assert access.sides_of(wup_manager, world.contract) == {OFFICE}
    assert world.contract in access.visible_contracts(wup_manager)


@pytest.mark.django_db
def test_nominating_snapshots_eligibility_and_skips_people_already_on(world: World) -> None:
    person = world.person()
    (p,) = actions.nominate(actor=world.office, contract=world.contract, persons=[person])
    assert p.status == ParticipantStatus.NOMINATED
    assert p.eligibility["registry_status"] == "unemployed"
    assert p.eligibility["days_registered"] == (today() - dt.date(2026, 1, 5)).days
    assert "pesel" not in p.eligibility
    assert actions.nominate(actor=world.office, contract=world.contract, persons=[person]) == []
    with pytest.raises(InvalidInput):
        actions.nominate(actor=world.office, contract=world.contract, persons=[world.person(world.pup_b)])
    with pytest.raises(Forbidden):
        actions.nominate(actor=world.agency, contract=world.contract, persons=[world.person()])
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.ENDED)
    world.contract.refresh_from_db()
    with pytest.raises(Conflict):
        actions.nominate(actor=world.office, contract=world.contract, persons=[world.person()])


def _in_activation(world: World) -> Participant:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p)
    for status in (ParticipantStatus.ADMITTED, ParticipantStatus.PLAN_AGREED, ParticipantStatus.IN_ACTIVATION):
        actions.change_participant_status(actor=world.agency, participant=p, to=status)
    return p


@pytest.mark.django_db
def test_events_are_recorded_by_the_sides_institution(world: World) -> None:
    p = _in_activation(world)
    event = actions.record_event(
        actor=world.agency,
        participant=p,
        type=ActivationEvent.Type.TRAINING,
        occurred_at=clock.now() - dt.timedelta(days=1),
        details={"name": "Kurs", "hours_planned": 40, "hours_attended": 32},
    )
    assert event.institution == world.agency_org
    assert OutboxEvent.objects.filter(topic="contracting.event.recorded", payload__participant=p.ref).exists()
    with pytest.raises(InvalidInput):
        actions.record_event(
            actor=world.agency,
            participant=p,
            type=ActivationEvent.Type.TRAINING,
            occurred_at=clock.now(),
            details={"hours_planned": 10, "hours_attended": 12},
        )
    with pytest.raises(InvalidInput):
        actions.record_event(
            actor=world.agency, participant=p, type="party", occurred_at=clock.now() - dt.timedelta(hours=1)
        )
    with pytest.raises(InvalidInput):
        actions.record_event(
            actor=world.agency,
            participant=p,
            type=ActivationEvent.Type.MEETING,
            occurred_at=clock.now() + dt.timedelta(days=1),
        )
    with pytest.raises(Forbidden):
        actions.record_event(
            actor=world.agency_b, participant=p, type=ActivationEvent.Type.MEETING, occurred_at=clock.now()
        )


@pytest.mark.django_db
def test_events_are_refused_for_participants_not_referred(world: World) -> None:
    (p,) = world.participants(1)
    with pytest.raises(Conflict):
        actions.record_event(
            actor=world.agency, participant=p, type=ActivationEvent.Type.MEETING, occurred_at=clock.now()
        )


@pytest.mark.django_db
def test_messages_between_the_sides_are_audited_and_marked_read(world: World) -> None:
    (p,) = world.participants(1)
    message = actions.send_message(
        actor=world.office, contract=world.contract, body=" Proszę o kontakt ", participant_ref=p.ref
    )
    assert (message.sender, message.recipient, message.body) == (world.pup, world.agency_org, "Proszę o kontakt")
    assert AuditRecord.objects.filter(action="contracting.message.sent", object_id=str(message.pk)).exists()
    assert actions.unread_count(actor=world.agency, contract=world.contract) == 1
    assert actions.unread_count(actor=world.office, contract=world.contract) == 0
    assert actions.mark_read(actor=world.office, contract=world.contract, messages=[message]) == 0  # not theirs
    assert actions.mark_read(actor=world.agency, contract=world.contract, messages=[message]) == 1
    assert actions.unread_count(actor=world.agency, contract=world.contract) == 0
    assert AuditRecord.objects.filter(action="contracting.message.read").exists()
    with pytest.raises(InvalidInput):
        actions.send_message(actor=world.agency, contract=world.contract, body="   ")
    with pytest.raises(InvalidInput):
        actions.send_message(
            actor=world.agency, contract=world.contract, body="x", participant_ref="P-AAAAAAAAAAAAAAAA"
        )
    with pytest.raises(Forbidden):
        actions.send_message(actor=world.agency_b, contract=world.contract, body="hej")


@pytest.mark.django_db
def test_indicator_progress_counts_participants_by_their_history(world: World) -> None:
    p = _in_activation(world)
    actions.change_participant_status(actor=world.agency, participant=p, to=ParticipantStatus.DROPPED_OUT)
    progress = actions.indicator_progress(world.contract)
    assert progress["referred"] == {"target": 100, "reached": 1}
    assert progress["admitted"] == {"target": 80, "reached": 1}
    assert progress["placed"] == {"target": 40, "reached": 0}


@pytest.mark.django_db
def test_contracts_start_and_end_by_their_dates(world: World) -> None:
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.SIGNED)
    Contract.objects.filter(pk=world.contract_b.pk).update(end_date=today() - dt.timedelta(days=1))
    assert actions.start_and_end_contracts() == 4
    world.contract.refresh_from_db()
    world.contract_b.refresh_from_db()
    # B: ended, settling, and with nothing to check or pay, its data is being closed.
    assert (world.contract.status, world.contract_b.status) == (ContractStatus.ACTIVE, ContractStatus.CLOSING_DATA)
    assert list(world.contract_b.transitions.values_list("to_status", flat=True)) == [
        ContractStatus.ENDED,
        ContractStatus.SETTLING,
        ContractStatus.CLOSING_DATA,
    ]


@pytest.mark.django_db
def test_settling_lasts_until_the_last_retention_window_has_passed(world: World) -> None:
    from okienko.contracting.models import Placement

    p = _in_activation(world)
    placement = actions.record_placement(
        actor=world.agency,
        participant=p,
        employer_nip="5260250274",
        position="kasjer",
        occupation_code="523001",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("1"),
        start_date=today() - dt.timedelta(days=10),
        verified_by=Placement.Verification.EMPLOYER,
    )
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.SETTLING)
    actions.start_and_end_contracts()
    world.contract.refresh_from_db()
    assert world.contract.status == ContractStatus.SETTLING
    after = placement.start_date + dt.timedelta(days=91)
    actions.start_and_end_contracts(on=after)
    world.contract.refresh_from_db()
    assert world.contract.status == ContractStatus.CLOSING_DATA


@pytest.mark.django_db
@pytest.mark.parametrize("policy", ["delete", "archive"])
def test_each_side_closes_the_data_it_received_and_certifies(world: World, policy: str) -> None:
    from okienko.contracting.models import SharedRecord

    (p,) = world.participants(1)
    world.share([p])
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.CLOSING_DATA, end_policy=policy)
    world.contract.refresh_from_db()
    received_by_agency = SharedRecord.objects.filter(request__contract=world.contract).count()
    assert received_by_agency == 1
    assert actions.certify_data_closure(actor=world.office, contract=world.contract) == 0  # it received nothing
    deleted = actions.certify_data_closure(actor=world.agency, contract=world.contract)
    assert deleted == (1 if policy == "delete" else 0)
    # Issue 18: archive moves the packages into an archive encrypted to the agency's own key.
    assert SharedRecord.objects.filter(request__contract=world.contract).count() == 0
    from okienko.contracting.exchange.models import DataArchive

    assert DataArchive.objects.filter(closure__contract=world.contract).count() == (1 if policy == "archive" else 0)
    with pytest.raises(Conflict):
        actions.certify_data_closure(actor=world.agency, contract=world.contract)
    actions.change_contract_status(actor=world.office, contract=world.contract, to=ContractStatus.CLOSED)
    assert AuditRecord.objects.filter(action="contracting.contract.certified", data__packages_deleted=deleted).exists()


@pytest.mark.django_db
def test_signing_needs_the_data_protection_agreement(world: World) -> None:
    from tests.contracting.domain import PDF

    contract = actions.create_contract(
        actor=world.office,
        office=world.pup,
        agency=world.agency_org,
        number="ZL/77/2026",
        scheme=world.scheme,
        start_date=today(),
        end_date=today() + dt.timedelta(days=30),
        legal_basis="art. 61b",
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.DELETE,
        planned_participants=1,
        price_per_participant=Decimal("1.00"),
    )
    with pytest.raises(Conflict, match="ochrony danych"):
        actions.change_contract_status(actor=world.office, contract=contract, to=ContractStatus.SIGNED)
    with pytest.raises(InvalidInput):
        actions.attach_agreement(
            actor=world.office, contract=contract, kind="data_agreement", data=b"MZ\x90\x00", name="x.exe"
        )
    with pytest.raises(Forbidden):
        actions.attach_agreement(actor=world.agency_b, contract=contract, kind="data_agreement", data=PDF, name="a.pdf")
    document = actions.attach_agreement(
        actor=world.office, contract=contract, kind="data_agreement", data=PDF, name="powierzenie.pdf"
    )
    assert (document.original_name, document.content_type) == ("powierzenie.pdf", "application/pdf")
    actions.change_contract_status(actor=world.office, contract=contract, to=ContractStatus.SIGNED)
    assert contract.status == ContractStatus.SIGNED


@pytest.mark.django_db
@pytest.mark.parametrize("fraction", ["NaN", "Infinity", "-Infinity", "0", "1.5"])
def test_a_placement_with_an_impossible_working_time_is_refused_with_the_reason(world: World, fraction: str) -> None:
    from okienko.contracting.models import Placement

    p = _in_activation(world)
    with pytest.raises(InvalidInput) as refused:
        actions.record_placement(
            actor=world.agency,
            participant=p,
            employer_nip="5260250274",
            position="kasjer",
            occupation_code="523001",
            contract_type=Placement.ContractType.EMPLOYMENT,
            working_time=Decimal(fraction),
            start_date=today() - dt.timedelta(days=10),
            verified_by=Placement.Verification.EMPLOYER,
        )
    assert "working_time" in refused.value.errors

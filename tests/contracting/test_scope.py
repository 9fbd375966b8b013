"""Who reads what through the sharing: per role and institution, only approved fields, only while
the request and the contract allow it; every read and refusal in the access log."""

from __future__ import annotations

import datetime as dt

import pytest

from okienko.contracting import access, accesslog, actions, sharing
from okienko.contracting.access import AccessRefused
from okienko.contracting.models import (
    AccessLog,
    ActivationEvent,
    Contract,
    DataSharingRequest,
    Direction,
    SharedRecord,
    SharingPurpose,
)
from okienko.contracting.states import ContractStatus, ParticipantStatus, SharingStatus
from okienko.core import clock
from okienko.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from okienko.core.models import AuditRecord
from tests.contracting.domain import World, today, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def refused_reason(excinfo: pytest.ExceptionInfo[AccessRefused]) -> str:
    return excinfo.value.reason


def test_agency_reads_only_the_approved_fields(world: World) -> None:
    (p,) = world.participants(1)
    world.share(
        [p], fields=["first_name", "last_name", "email", "education_level"], approve=["first_name", "education_level"]
    )
    view = access.read_registry_data(world.agency, world.contract, p.ref)
    assert set(view.fields) == {"first_name", "education_level"}
    assert p.person is not None
    assert view.fields["first_name"] == p.person.first_name
    assert "pesel" not in view.fields
    assert "email" not in view.fields


def test_partial_approval_is_recorded_as_partial(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p], fields=["first_name", "email"], approve=["first_name"])
    assert request.status == SharingStatus.ACTIVE
    assert request.transitions.filter(to_status=SharingStatus.PARTIALLY_APPROVED).exists()
    assert request.approved_fields == ["first_name"]


def test_packages_hold_only_approved_fields(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p], fields=["first_name", "email"], approve=["email"])
    record = SharedRecord.objects.get(request=request, participant_ref=p.ref)
    assert set(record.fields) == {"email"}
    assert len(record.payload_sha256) == 64


def test_a_field_smuggled_into_a_package_never_appears(world: World) -> None:
    """Checked again on reading: a package holding more than the approved scope shows only the scope."""
    (p,) = world.participants(1)
    request = world.share([p], fields=["first_name"])
    SharedRecord.objects.filter(request=request).update(fields={"first_name": "Jan", "pesel": "90010112345"})
    view = access.read_registry_data(world.agency, world.contract, p.ref)
    assert view.fields == {"first_name": "Jan"}


def test_asking_for_a_field_outside_the_scope_is_refused_and_logged(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p], fields=["first_name"])
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, p.ref, fields=["first_name", "pesel"])
    assert refused_reason(excinfo) == "field_out_of_scope"
    entry = AccessLog.objects.filter(outcome=AccessLog.Outcome.REFUSED).get()
    assert (entry.participant_ref, entry.reason, entry.fields) == (p.ref, "field_out_of_scope", ["first_name", "pesel"])
    assert AuditRecord.objects.filter(action="contracting.shared_data.refused", kind=AuditRecord.Kind.SECURITY).exists()


def test_an_unshared_participant_is_refused(world: World) -> None:
    shared, unshared = world.participants(2)
    world.share([shared])
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, unshared.ref)
    assert refused_reason(excinfo) == "no_request"
    assert list(access.agency_participants(world.agency, world.contract)) == [shared]
    with pytest.raises(NotFound):
        access.access_participant(world.agency, world.contract, unshared.ref)


def test_agency_a_never_reads_agency_bs_participants(world: World) -> None:
    (p,) = world.participants(1, contract=world.contract_b)
    world.share([p], contract=world.contract_b)
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract_b, p.ref)
    assert refused_reason(excinfo) == "not_recipient"
    with pytest.raises(NotFound):
        access.access_contract(world.agency, world.contract_b.uuid)
    assert list(access.visible_contracts(world.agency)) == [world.contract]
    assert list(access.visible_contracts(world.agency_b)) == [world.contract_b]
    # The other contract's reference on one's own contract is no participant there.
    with pytest.raises(AccessRefused):
        access.read_registry_data(world.agency, world.contract, p.ref)


def test_office_b_and_a_consultant_see_nothing_of_contract_a(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p])
    for user in (world.office_b, world.consultant):
        with pytest.raises(NotFound):
            access.access_contract(user, world.contract.uuid)
        with pytest.raises(AccessRefused):
            access.read_registry_data(user, world.contract, p.ref)
    assert not access.visible_contracts(world.consultant).exists()


def test_the_office_reads_the_registry_data_only_from_the_registry_not_packages(world: World) -> None:
    """Registry data flows office → agency: the office is not its recipient."""
    (p,) = world.participants(1)
    world.share([p])
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.office, world.contract, p.ref)
    assert refused_reason(excinfo) == "not_recipient"
    assert list(access.office_participants(world.office, world.contract)) == [p]
    with pytest.raises(Forbidden):
        access.office_participants(world.agency, world.contract)


def test_reads_are_refused_after_the_contract_ends_and_requests_lapse(world: World) -> None:
    shared, pending_one = world.participants(2)
    request = world.share([shared])
    pending = sharing.create_request(
        actor=world.agency,
        contract=world.contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["phone"],
        participants=[pending_one],
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=10),
        submit=True,
    )
    actions.change_contract_status(actor=world.office, contract=world.contract, to=ContractStatus.ENDED)
    request.refresh_from_db()
    pending.refresh_from_db()
    assert request.status == SharingStatus.CONTRACT_ENDED
    assert pending.status == SharingStatus.CONTRACT_ENDED
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, shared.ref)
    assert refused_reason(excinfo) == "contract_not_running"
    assert not access.agency_participants(world.agency, world.contract).exists()
    # The agency still knows whom it works with (employment checks, claims): reference and status only.
    assert access.access_participant(world.agency, world.contract, shared.ref) == shared
    with pytest.raises(NotFound):
        access.access_participant(world.agency, world.contract, pending_one.ref)
    with pytest.raises(Conflict):
        sharing.create_request(
            actor=world.office,
            contract=world.contract,
            direction=Direction.OFFICE_TO_AGENCY,
            purpose=SharingPurpose.objects.get(code="activation"),
            fields=["phone"],
            participants=[shared],
            valid_from=today(),
            valid_until=today(),
        )


def test_reads_are_refused_outside_the_validity_and_after_expiry(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p])
    later = request.valid_until + dt.timedelta(days=1)
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, p.ref, on=later)
    assert refused_reason(excinfo) == "outside_validity"
    assert sharing.expire_requests(on=later) == 1
    request.refresh_from_db()
    assert request.status == SharingStatus.EXPIRED
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, p.ref)
    assert refused_reason(excinfo) == "no_request"


def test_a_revoked_request_lets_nothing_through(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p])
    with pytest.raises(Exception):  # noqa: B017,PT011 - the agency is no data owner
        sharing.revoke_request(actor=world.agency, request=request)
    sharing.revoke_request(actor=world.office, request=request, note="koniec potrzeby")
    with pytest.raises(AccessRefused):
        access.read_registry_data(world.agency, world.contract, p.ref)


def test_the_purpose_must_match(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p])
    with pytest.raises(AccessRefused) as excinfo:
        access.read_registry_data(world.agency, world.contract, p.ref, purpose="identity-check")
    assert refused_reason(excinfo) == "wrong_purpose"
    assert access.read_registry_data(world.agency, world.contract, p.ref, purpose="activation").purpose == "activation"


def test_a_request_for_fields_outside_the_allow_list_is_refused_and_audited(world: World) -> None:
    (p,) = world.participants(1)
    with pytest.raises(InvalidInput, match="pesel"):
        sharing.create_request(
            actor=world.agency,
            contract=world.contract,
            direction=Direction.OFFICE_TO_AGENCY,
            purpose=SharingPurpose.objects.get(code="activation"),
            fields=["first_name", "pesel"],
            participants=[p],
            valid_from=today(),
            valid_until=today(),
        )
    assert not DataSharingRequest.objects.exists()
    entry = AccessLog.objects.get()
    assert (entry.outcome, entry.reason, entry.fields) == (AccessLog.Outcome.REFUSED, "field_out_of_scope", ["pesel"])
    assert AuditRecord.objects.filter(action="contracting.shared_data.refused").exists()


def test_the_agency_cannot_approve_the_offices_data(world: World) -> None:
    """The data owner decides: the agency asking for more cannot approve its own request."""
    (p,) = world.participants(1)
    request = sharing.create_request(
        actor=world.agency,
        contract=world.contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["phone"],
        participants=[p],
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=5),
        submit=True,
    )
    with pytest.raises(TransitionNotAllowed):
        sharing.decide_request(actor=world.agency, request=request, approved_fields=["phone"])
    sharing.decide_request(actor=world.office, request=request, approved_fields=["phone"], note="zgoda")
    request.refresh_from_db()
    assert request.status == SharingStatus.ACTIVE
    assert set(access.read_registry_data(world.agency, world.contract, p.ref).fields) == {"phone"}


def test_approving_more_than_asked_is_refused(world: World) -> None:
    (p,) = world.participants(1)
    request = sharing.create_request(
        actor=world.office,
        contract=world.contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["phone"],
        participants=[p],
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=5),
        submit=True,
    )
    with pytest.raises(InvalidInput):
        sharing.decide_request(actor=world.office, request=request, approved_fields=["phone", "email"])


def test_rejection_with_a_note_sends_nothing(world: World) -> None:
    (p,) = world.participants(1)
    request = sharing.create_request(
        actor=world.agency,
        contract=world.contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["phone"],
        participants=[p],
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=5),
        submit=True,
    )
    sharing.decide_request(actor=world.office, request=request, approved_fields=[], note="brak podstawy")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (SharingStatus.REJECTED, "brak podstawy")
    assert not SharedRecord.objects.exists()


def _agency_records_request(world: World, participants: list, *, fields: list[str]) -> DataSharingRequest:  # type: ignore[type-arg]
    return sharing.create_request(
        actor=world.office,
        contract=world.contract,
        direction=Direction.AGENCY_TO_OFFICE,
        purpose=SharingPurpose.objects.get(code="monitoring"),
        fields=fields,
        participants=participants,
        valid_from=today(),
        valid_until=today() + dt.timedelta(days=30),
        submit=True,
    )


def test_the_office_reads_agency_records_only_through_an_accepted_request(world: World) -> None:
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p)
    actions.change_participant_status(actor=world.agency, participant=p, to=ParticipantStatus.ADMITTED)
    event = actions.record_event(
        actor=world.agency,
        participant=p,
        type=ActivationEvent.Type.MEETING,
        occurred_at=clock.now() - dt.timedelta(hours=1),
        details={"topic": "pierwsze spotkanie"},
    )
    with pytest.raises(AccessRefused) as excinfo:
        access.read_agency_records(world.office, world.contract, p.ref)
    assert refused_reason(excinfo) == "no_request"
    request = _agency_records_request(world, [p], fields=["events", "placements"])
    with pytest.raises(AccessRefused):
        access.read_agency_records(world.office, world.contract, p.ref)  # submitted, not accepted
    with pytest.raises(TransitionNotAllowed):
        sharing.decide_request(actor=world.office, request=request, approved_fields=["events"])  # not the owner
    sharing.decide_request(actor=world.agency, request=request, approved_fields=["events"])
    view = access.read_agency_records(world.office, world.contract, p.ref)
    assert set(view.fields) == {"events"}
    assert view.fields["events"][0]["id"] == str(event.uuid)
    # Office B and agency B see none of it.
    for user in (world.office_b, world.agency_b, world.agency):
        with pytest.raises(AccessRefused):
            access.read_agency_records(user, world.contract, p.ref)


def test_only_the_office_asks_for_agency_records(world: World) -> None:
    (p,) = world.participants(1)
    with pytest.raises(Forbidden):
        sharing.create_request(
            actor=world.agency,
            contract=world.contract,
            direction=Direction.AGENCY_TO_OFFICE,
            purpose=SharingPurpose.objects.get(code="monitoring"),
            fields=["events"],
            participants=[p],
            valid_from=today(),
            valid_until=today(),
        )


def test_every_read_and_transfer_is_in_the_access_log(world: World) -> None:
    (p,) = world.participants(1)
    request = world.share([p], fields=["first_name"])
    access.read_registry_data(world.agency, world.contract, p.ref)
    entries = list(AccessLog.objects.filter(participant_ref=p.ref).order_by("id"))
    assert [(e.action, e.outcome) for e in entries] == [("transfer", "granted"), ("read", "granted")]
    assert all(e.request_uuid == str(request.uuid) and e.purpose == "activation" for e in entries)
    assert entries[1].institution_id == world.agency_org.pk
    assert entries[1].actor_id == world.agency.pk
    log = access.participant_access_log(world.office, world.contract, p.ref)
    assert list(log) == entries
    with pytest.raises(NotFound):
        access.participant_access_log(world.office_b, world.contract, p.ref)
    assert accesslog.verify().ok


def test_participants_are_named_by_pseudonymous_references(world: World) -> None:
    a, b = world.participants(2)
    assert a.ref != b.ref
    assert a.ref.startswith("P-")
    assert len(a.ref) == 18
    assert a.person is not None
    assert str(a.person.pesel) not in a.ref
    request = world.share([a])
    record = SharedRecord.objects.get(request=request)
    assert record.participant_ref == a.ref


def test_a_contract_in_draft_shares_nothing_yet(world: World) -> None:
    Contract.objects.filter(pk=world.contract.pk).update(status=ContractStatus.DRAFT)
    world.contract.refresh_from_db()
    (p,) = world.participants(1)
    request = world.share([p])
    assert request.status == SharingStatus.APPROVED  # approved, but nothing flows before signature
    assert not SharedRecord.objects.exists()

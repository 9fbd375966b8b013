"""Kontraktor writes: contracts, participants, activation events, placements, messages.

Each action takes keyword arguments and an explicit ``actor``, checks the actor's side of the
contract (``access.require_side``) and the state machine (``states``), runs in one transaction and
writes the audit entry (and the history row for a change of status). Data sharing is in
``sharing``, money in ``settlement``.

Service API:

- ``create_contract(actor, office, agency, number, scheme, start_date, end_date, legal_basis,
  agency_role, end_policy, planned_participants, price_per_participant, region_office=None,
  indicators=None, procurement_reference="", title="")``
- ``attach_agreement(actor, contract, kind, data, name)`` → ContractAgreement (stored file)
- ``change_contract_status(actor, contract, to, note="")`` — signing needs the data-protection
  agreement attached; ending lapses the sharing requests
- ``certify_data_closure(actor, contract)`` — each side deletes (or archives) what it received and
  certifies it
- ``start_and_end_contracts(on=None)`` — the system: signed → active, running → ended by the dates,
  ended → settling → closing data when the last retention window passed and nothing is left to pay
- ``nominate(actor, contract, persons)`` → participants (pseudonymous references)
- ``change_participant_status(actor, participant, to, note="", exit_reason="", on=None)``
- ``refer(actor, participant, on)`` — shared → referred with the referral date
- ``apply_registry_deregistrations(actor=SCHEDULER, contract=None)`` — the registry's
  deregistrations become side exits
- ``record_event(actor, participant, type, occurred_at, details=None)`` → ActivationEvent
- ``attach_evidence(actor, event, data, name)`` → EventEvidence
- ``record_placement(actor, participant, employer_nip, position, occupation_code, contract_type,
  working_time, start_date, verified_by, ...)``
  → Placement, with its retention checks scheduled from the scheme's minimum days
- ``record_retention_check(actor, check, employed, on=None)`` — the agency confirms (or not)
- ``end_placement(actor, placement, end_date)`` — ended early: back to activation, or dropped out
- ``send_message(actor, contract, body, participant_ref="")`` / ``mark_read(actor, contract, messages)``
  / ``unread_count(actor, contract)``
- ``indicator_progress(contract)`` / ``indicator_progress_many(contracts)`` — targets and reached
- ``due_retention_checks(on=None)`` / ``remind_retention_checks(on=None)``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting import replication, sources
from okienko.contracting.access import institution_for, is_system, require_side, sides_of
from okienko.contracting.history import move
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    ContractAgreement,
    ContractMessage,
    ContractTransition,
    EventEvidence,
    Participant,
    ParticipantTransition,
    Placement,
    RetentionCheck,
    TrancheScheme,
    TriggerEvent,
)
from okienko.contracting.states import (
    AGENCY,
    CONTRACT,
    CONTRACT_DATA_FLOWS,
    CONTRACT_OPEN_FOR_REQUESTS,
    CONTRACT_RUNNING,
    OFFICE,
    PARTICIPANT,
    SYSTEM,
    ContractStatus,
    ExitReason,
    ParticipantStatus,
)
from okienko.contracting.validators import validate_kzis
from okienko.core import audit, clock, events, uploads
from okienko.core.actors import SCHEDULER, Actor, name_of
from okienko.core.errors import Conflict, InvalidInput

CS, PS = ContractStatus, ParticipantStatus
INDICATORS = ("referred", "admitted", "placed", "retained")


def _sides(actor: Actor, contract: Contract) -> list[str]:
    return sorted(sides_of(actor, contract))


# --- Contracts ------------------------------------------------------------------------------------


def create_contract(
    *,
    actor: Actor,
    office: Organisation,
    agency: Organisation,
    number: str,
    scheme: TrancheScheme,
    start_date: dt.date,
    end_date: dt.date,
    legal_basis: str,
    agency_role: str,
    end_policy: str,
    planned_participants: int,
    price_per_participant: Decimal,
    region_office: Organisation | None = None,
    indicators: dict[str, int] | None = None,
    procurement_reference: str = "",
    title: str = "",
) -> Contract:
    """A draft contract of ``office`` (the actor must manage its contracts) with ``agency``."""
    kinds = Organisation.Kind
    errors: dict[str, str] = {}
    if office.kind != kinds.COUNTY_OFFICE:
        errors["office"] = _("The office must be a county labour office (PUP).")
    if agency.kind != kinds.AGENCY:
        errors["agency"] = _("The other party must be an employment agency.")
    if region_office is not None and region_office.kind != kinds.REGION_OFFICE:
        errors["region_office"] = _("The third party must be a regional labour office (WUP).")
    if end_date < start_date:
        errors["end_date"] = _("The contract must end on or after its start.")
    if Contract.AgencyRole(agency_role) is None or Contract.EndPolicy(end_policy) is None:  # pragma: no cover
        errors["agency_role"] = _("Unknown choice.")
    targets = dict(indicators or {})
    if set(targets) - set(INDICATORS) or any(not isinstance(v, int) or v < 0 for v in targets.values()):
        errors["indicators"] = _("Indicators are whole numbers for: referred, admitted, placed, retained.")
    if not number.strip():
        errors["number"] = _("The contract needs a number.")
    elif Contract.objects.filter(office=office, number=number.strip()).exists():
        errors["number"] = _("This office already has a contract with this number.")
    if price_per_participant < 0:
        errors["price_per_participant"] = _("The price cannot be negative.")
    if errors:
        raise InvalidInput(errors=errors)
    probe = Contract(office=office, agency=agency, region_office=region_office)
    require_side(actor, probe, OFFICE, SYSTEM)
    now = clock.now()
    with transaction.atomic():
        contract = Contract.objects.create(
            number=number.strip(),
            office=office,
            agency=agency,
            region_office=region_office,
            title=title,
            legal_basis=legal_basis,
            procurement_reference=procurement_reference,
            start_date=start_date,
            end_date=end_date,
            planned_participants=planned_participants,
            indicators=targets,
            price_per_participant=price_per_participant,
            currency=scheme.currency,
            tranche_scheme=scheme,
            agency_role=agency_role,
            end_policy=end_policy,
            created_at=now,
            updated_at=now,
        )
        audit.record("contracting.contract.created", actor=actor, obj=contract, organisation_id=office.pk)
    return contract


def attach_agreement(*, actor: Actor, contract: Contract, kind: str, data: bytes, name: str) -> ContractAgreement:
    """Attach a document to the contract (checked: type from its bytes, size, virus scan): the
    data-protection agreement its legal role needs, the contract, an annex or a certificate."""
    require_side(actor, contract, OFFICE, AGENCY, SYSTEM)
    if kind not in ContractAgreement.Kind.values:
        raise InvalidInput(field="kind", message=_("Unknown kind of document."))
    try:
        checked = uploads.check(data, max_bytes=uploads.DEFAULT_MAX_BYTES)
    except uploads.UploadRejected as exc:
        raise InvalidInput(field="file", message=str(exc)) from exc
    with transaction.atomic():
        document = ContractAgreement(contract=contract, kind=kind, uploaded_by=user_of(actor), created_at=clock.now())
        document.store(data, checked, sent_name=name)
        audit.record(
            "contracting.contract.document_attached",
            actor=actor,
            obj=contract,
            organisation_id=contract.office_id,
            data={"kind": kind, "sha256": checked.sha256, "name": document.original_name},
        )
    return document


def change_contract_status(*, actor: Actor, contract: Contract, to: str, note: str = "") -> None:
    """Move the contract along its machine. Signing needs the data-protection agreement of the
    agency's legal role attached; closing needs both sides' certificates; ending (or cancelling)
    lapses every open data-sharing request of the contract."""
    if to == CS.SIGNED and not contract.agreements.filter(kind=ContractAgreement.Kind.DATA_AGREEMENT).exists():
        raise Conflict(
            _("Attach the data-protection agreement (%(role)s) before the contract is signed.")
            % {"role": contract.get_agency_role_display()}
        )
    if to == CS.CLOSED and not (contract.office_certified_at and contract.agency_certified_at):
        raise Conflict(_("The contract closes only after both sides certify the deletion or archival of the data."))
    sides = _sides(actor, contract)
    with transaction.atomic():
        move(
            contract,
            machine=CONTRACT,
            to=to,
            sides=sides,
            actor=actor,
            history=ContractTransition,
            link="contract",
            note=note,
            organisation_id=contract.office_id,
        )
        if to not in CONTRACT_OPEN_FOR_REQUESTS:
            from okienko.contracting.sharing import lapse_requests

            lapse_requests(contract=contract, actor=actor)
        elif to in CONTRACT_DATA_FLOWS:
            from okienko.contracting.sharing import sync_decided_requests

            sync_decided_requests(contract=contract, actor=actor)


def certify_data_closure(*, actor: Actor, contract: Contract) -> int:
    """The actor's side closes the data it received on the contract as the contract says and
    certifies it (``contracting.exchange.certificates.close_data``): with the *delete* policy the
    packages its institution received are deleted (returns how many), with *archive* they are moved
    into an archive encrypted to the institution's own key (returns 0). Either way a signed
    certificate (JSON and PDF) is issued; the contract closes once both sides certified."""
    from okienko.contracting.exchange.certificates import close_data

    closed = close_data(actor=actor, contract=contract)
    return closed.records if contract.end_policy == Contract.EndPolicy.DELETE else 0


# Tranche lines still being paid keep a contract in settlement.
_OPEN_LINES = ("eligible", "claimed", "verifying", "approved", "invoiced", "disputed")


def settlement_finished(contract: Contract, *, on: dt.date) -> bool:
    """Every employment check's date has passed and no tranche line is still being paid."""
    last_check = RetentionCheck.objects.filter(placement__participant__contract=contract).order_by("-due_on").first()
    if last_check is not None and last_check.due_on >= on:
        return False
    from okienko.contracting.models import TrancheLine

    return not TrancheLine.objects.filter(participant__contract=contract, status__in=_OPEN_LINES).exists()


def start_and_end_contracts(*, on: dt.date | None = None, actor: Actor = SCHEDULER) -> int:
    """The system moves contracts by their dates: signed → active at the start, running → ended
    after the end, ended → settling, and settling → closing data once the last retention window has
    passed and nothing is left to pay."""
    today = on or clock.local_now().date()
    changed = 0
    for contract in Contract.objects.filter(status=CS.SIGNED, start_date__lte=today, end_date__gte=today):
        change_contract_status(actor=actor, contract=contract, to=CS.ACTIVE)
        changed += 1
    for contract in Contract.objects.filter(status__in=CONTRACT_RUNNING, end_date__lt=today):
        change_contract_status(actor=actor, contract=contract, to=CS.ENDED)
        changed += 1
    for contract in Contract.objects.filter(status=CS.ENDED):
        change_contract_status(actor=actor, contract=contract, to=CS.SETTLING)
        changed += 1
    for contract in Contract.objects.filter(status=CS.SETTLING):
        if settlement_finished(contract, on=today):
            change_contract_status(actor=actor, contract=contract, to=CS.CLOSING_DATA)
            changed += 1
    return changed


# --- Participants ---------------------------------------------------------------------------------


def nominate(*, actor: Actor, contract: Contract, persons: Iterable[Any]) -> list[Participant]:
    """Put registered people of the contract's office on the contract (each gets a new random
    reference and a snapshot of what made them eligible). Someone already on it is skipped."""
    require_side(actor, contract, OFFICE, SYSTEM)
    if contract.status not in CONTRACT_OPEN_FOR_REQUESTS:
        raise Conflict(_("The contract has ended: no new participants."))
    chosen = list(persons)
    foreign = [p for p in chosen if sources.person_office_id(p) != contract.office_id]
    if foreign:
        raise InvalidInput(
            field="persons", message=_("Only people registered at the contract's office can be nominated.")
        )
    already = set(contract.participants.filter(person__in=chosen).values_list("person_id", flat=True))
    now = clock.now()
    today = clock.local_now().date()
    created = [
        Participant(
            contract=contract,
            person=person,
            eligibility=sources.eligibility_snapshot(person, on=today),
            nominated_at=now,
            updated_at=now,
        )
        for person in chosen
        if person.pk not in already
    ]
    with audit.batch():
        Participant.objects.bulk_create(created)
        for participant in created:
            audit.record(
                "contracting.participant.nominated",
                actor=actor,
                obj=participant,
                organisation_id=contract.office_id,
                data={"contract": contract.number},
            )
        replication.changed("nominated", contract, actor=actor, participants=created)
    return created


def change_participant_status(
    *, actor: Actor, participant: Participant, to: str, note: str = "", exit_reason: str = ""
) -> None:
    """Move a participant along its machine (who may: ``states.PARTICIPANT``). A side exit records
    its reason (by default the exit itself)."""
    contract = participant.contract
    extra: list[str] = []
    if to in {PS.NOT_REPORTED, PS.DEREGISTERED, PS.DROPPED_OUT, PS.TRANSFERRED, PS.COMPLETED}:
        participant.exit_reason = exit_reason or ExitReason(to.value if isinstance(to, PS) else to).value
        extra.append("exit_reason")
    if to == PS.IN_ACTIVATION and participant.status in {PS.PLACED, PS.RETAINED_14, PS.RETAINED_90}:
        if contract.status not in CONTRACT_RUNNING:
            raise Conflict(_("The contract no longer runs: the participant cannot return to activation."))
        participant.exit_reason = ""
        extra.append("exit_reason")
    with transaction.atomic():
        move(
            participant,
            machine=PARTICIPANT,
            to=to,
            sides=_sides(actor, contract),
            actor=actor,
            history=ParticipantTransition,
            link="participant",
            note=note,
            organisation_id=contract.office_id,
            extra_fields=extra,
        )


def apply_registry_deregistrations(*, actor: Actor = SCHEDULER, contract: Contract | None = None) -> int:
    """Participants whom the office's registry no longer lists as registered (a re-import said
    so) leave as deregistered — those not yet placed; a placement is the normal way out."""
    can_leave = [frm for (frm, to) in PARTICIPANT.transitions if to == PS.DEREGISTERED]
    participants = Participant.objects.filter(sources.deregistered_q(), status__in=can_leave).select_related("contract")
    if contract is not None:
        participants = participants.filter(contract=contract)
    count = 0
    for participant in participants:
        change_participant_status(
            actor=actor, participant=participant, to=PS.DEREGISTERED, note="registry: deregistered"
        )
        count += 1
    return count


def mark_shared(*, actor: Actor, participants: Iterable[Participant]) -> None:
    """Nominated participants whose data was sent become ``shared`` (the system, after a sync)."""
    for participant in participants:
        move(
            participant,
            machine=PARTICIPANT,
            to=PS.SHARED,
            sides=[SYSTEM],
            actor=actor,
            history=ParticipantTransition,
            link="participant",
            organisation_id=participant.contract.office_id,
        )


def refer(*, actor: Actor, participant: Participant, on: dt.date | None = None) -> None:
    """The office refers a participant whose data the agency has to the agency."""
    if participant.contract.status not in CONTRACT_RUNNING:
        raise Conflict(_("Referrals are made while the contract runs."))
    participant.referral_date = on or clock.local_now().date()
    with transaction.atomic():
        move(
            participant,
            machine=PARTICIPANT,
            to=PS.REFERRED,
            sides=_sides(actor, participant.contract),
            actor=actor,
            history=ParticipantTransition,
            link="participant",
            organisation_id=participant.contract.office_id,
            extra_fields=["referral_date"],
        )


# --- Activation events and placements -------------------------------------------------------------

EVENT_STATUSES = frozenset(
    {
        PS.REFERRED,
        PS.ADMITTED,
        PS.PLAN_AGREED,
        PS.IN_ACTIVATION,
        PS.PLACED,
        PS.RETAINED_14,
        PS.RETAINED_90,
        PS.RETAINED_180,
    }
)


def _check_training(details: dict[str, Any]) -> None:
    try:
        planned = Decimal(str(details.get("hours_planned", "0")))
        attended = Decimal(str(details.get("hours_attended", "0")))
    except InvalidOperation as exc:
        raise InvalidInput(field="details", message=_("Training hours must be numbers.")) from exc
    if planned < 0 or attended < 0 or attended > planned:
        raise InvalidInput(field="details", message=_("Hours attended must be between 0 and the hours planned."))


def record_event(
    *,
    actor: Actor,
    participant: Participant,
    type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any] | None = None,
    placement: Placement | None = None,
) -> ActivationEvent:
    """Record what the actor's institution did with a participant it works with. A training
    carries ``hours_planned`` and ``hours_attended`` in ``details``."""
    contract = participant.contract
    side = require_side(actor, contract, AGENCY, OFFICE, SYSTEM)
    if type not in ActivationEvent.Type.values:
        raise InvalidInput(field="type", message=_("Unknown kind of event."))
    if participant.status not in EVENT_STATUSES:
        raise Conflict(_("Events are recorded for referred participants until they leave."))
    if contract.status not in CONTRACT_RUNNING and type != ActivationEvent.Type.RETENTION_CHECK:
        raise Conflict(_("The contract does not run: only employment checks can still be recorded."))
    if occurred_at > clock.now():
        raise InvalidInput(field="occurred_at", message=_("An event cannot be in the future."))
    if occurred_at.year < 2000:  # (before, a moment near 0001-01-01 overflows on its way to UTC)
        raise InvalidInput(field="occurred_at", message=_("Choose dates between 2000 and 2100."))
    data = dict(details or {})
    if type == ActivationEvent.Type.TRAINING:
        _check_training(data)
    institution = institution_for(side, contract) or contract.agency
    with transaction.atomic():
        event = ActivationEvent.objects.create(
            participant=participant,
            type=type,
            occurred_at=occurred_at,
            details=data,
            placement=placement,
            recorded_by=user_of(actor),
            institution=institution,
            created_at=clock.now(),
        )
        audit.record(
            "contracting.event.recorded",
            actor=actor,
            obj=event,
            organisation_id=institution.pk,
            data={"participant": participant.ref, "type": type},
        )
        events.emit(
            "contracting.event.recorded",
            obj=event,
            organisation_id=contract.office_id,
            payload={
                "id": str(event.uuid),
                "participant": participant.ref,
                "type": type,
                "contract": str(contract.uuid),
            },
        )
    return event


def attach_evidence(*, actor: Actor, event: ActivationEvent, data: bytes, name: str) -> EventEvidence:
    """Attach a checked file (type from its bytes, size, virus scan) to the institution's own event."""
    side = require_side(actor, event.participant.contract, AGENCY, OFFICE, SYSTEM)
    institution = institution_for(side, event.participant.contract)
    if institution is not None and institution.pk != event.institution_id:
        raise InvalidInput(field="event", message=_("Evidence is attached to your institution's own events."))
    try:
        checked = uploads.check(data, max_bytes=uploads.DEFAULT_MAX_BYTES)
    except uploads.UploadRejected as exc:
        raise InvalidInput(field="file", message=str(exc)) from exc
    with transaction.atomic():
        evidence = EventEvidence(event=event, uploaded_by=user_of(actor), created_at=clock.now())
        evidence.store(data, checked, sent_name=name)
        audit.record(
            "contracting.evidence.attached",
            actor=actor,
            obj=evidence,
            organisation_id=event.institution_id,
            data={"event": str(event.uuid), "sha256": checked.sha256},
        )
    return evidence


def retention_days(scheme: TrancheScheme) -> list[int]:
    """The checkpoints of a placement: the scheme's minimum days of its placement tranches."""
    days = {t.minimum_days for t in scheme.tranches.all() if t.trigger == TriggerEvent.PLACEMENT and t.minimum_days}
    return sorted(days)


def record_placement(
    *,
    actor: Actor,
    participant: Participant,
    employer_nip: str,
    position: str,
    occupation_code: str,
    contract_type: str,
    working_time: Decimal,
    start_date: dt.date,
    verified_by: str,
    employer_name: str = "",
    occupation_edition: str = "2023",
    end_date: dt.date | None = None,
) -> Placement:
    """The agency records a job: the placement, its event, the participant placed, and the
    employment checks due at the scheme's minimum days (reminded by a scheduled task)."""
    contract = participant.contract
    side = require_side(actor, contract, AGENCY, SYSTEM)
    errors: dict[str, str] = {}
    from okienko.clients.identifiers import validate_nip

    try:
        employer_nip = validate_nip(employer_nip)
    except ValidationError as exc:
        errors["employer_nip"] = " ".join(str(m) for m in exc.messages)
    try:
        occupation_code = validate_kzis(occupation_code)
    except ValidationError as exc:
        errors["occupation_code"] = " ".join(str(m) for m in exc.messages)
    if (
        not isinstance(working_time, Decimal)
        or not working_time.is_finite()  # NaN and infinity compare with an error, not False
        or not (Decimal(0) < working_time <= Decimal(1))
    ):
        errors["working_time"] = _("Working time is a fraction of full time: more than 0, at most 1.")
    if contract_type not in Placement.ContractType.values:
        errors["contract_type"] = _("Unknown type of contract.")
    if verified_by not in Placement.Verification.values:
        errors["verified_by"] = _("Say how the employment was verified.")
    if end_date is not None and end_date < start_date:
        errors["end_date"] = _("The job must end on or after its start.")
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if day is not None and not 2000 <= day.year <= 2100:  # beyond, the retention checks overflow
            errors[name] = _("Choose dates between 2000 and 2100.")
    if not position.strip():
        errors["position"] = _("Name the position.")
    if errors:
        raise InvalidInput(errors=errors)
    institution = institution_for(side, contract) or contract.agency
    now = clock.now()
    with transaction.atomic():
        placement = Placement.objects.create(
            participant=participant,
            employer_nip=employer_nip,
            employer_name=employer_name,
            position=position.strip(),
            occupation_code=occupation_code,
            occupation_edition=occupation_edition,
            contract_type=contract_type,
            working_time=working_time,
            start_date=start_date,
            end_date=end_date,
            verified_by=verified_by,
            recorded_by=user_of(actor),
            institution=institution,
            created_at=now,
        )
        RetentionCheck.objects.bulk_create(
            RetentionCheck(placement=placement, days=days, due_on=start_date + dt.timedelta(days=days))
            for days in retention_days(contract.tranche_scheme)
        )
        start = dt.datetime.combine(start_date, dt.time(9), tzinfo=clock.WARSAW)
        record_event(
            actor=actor,
            participant=participant,
            type=ActivationEvent.Type.PLACEMENT,
            occurred_at=min(start, now),
            details={"placement": str(placement.uuid), "position": placement.position},
            placement=placement,
        )
        if participant.status == PS.IN_ACTIVATION:
            change_participant_status(actor=actor, participant=participant, to=PS.PLACED)
        audit.record(
            "contracting.placement.recorded",
            actor=actor,
            obj=placement,
            organisation_id=institution.pk,
            data={"participant": participant.ref, "checks": retention_days(contract.tranche_scheme)},
        )
    return placement


RETAINED_AFTER: dict[int, str] = {14: PS.RETAINED_14, 90: PS.RETAINED_90, 180: PS.RETAINED_180}


def record_retention_check(
    *,
    actor: Actor,
    check: RetentionCheck,
    employed: bool,
    on: dt.date | None = None,
    details: dict[str, Any] | None = None,
) -> ActivationEvent:
    """The agency confirms whether the participant is still employed at a checkpoint (not before it
    is due). Employed: the participant moves to the matching ``retained`` status when the
    checkpoint is 14, 90 or 180 days; not employed: the placement ended early."""
    participant = check.placement.participant
    today = on or clock.local_now().date()
    if check.done_at is not None:
        raise Conflict(_("This employment check is already recorded."))
    if today < check.due_on:
        raise Conflict(
            _("This employment check is due on %(date)s; it cannot be recorded earlier.")
            % {"date": check.due_on.isoformat()}
        )
    with transaction.atomic():
        event = record_event(
            actor=actor,
            participant=participant,
            type=ActivationEvent.Type.RETENTION_CHECK,
            occurred_at=clock.now(),
            details={"days": check.days, "employed": employed, **(details or {})},
            placement=check.placement,
        )
        check.done_at, check.employed, check.event = clock.now(), employed, event
        check.save(update_fields=["done_at", "employed", "event"])
        target = RETAINED_AFTER.get(check.days)
        if employed and target and PARTICIPANT.allowed(participant.status, target, AGENCY):
            change_participant_status(actor=actor, participant=participant, to=target)
        if not employed:
            end_placement(actor=actor, placement=check.placement, end_date=today)
    return event


def end_placement(*, actor: Actor, placement: Placement, end_date: dt.date) -> None:
    """The job ended before its last checkpoint: while the contract runs the participant returns
    to activation; afterwards they leave as dropped out (placement ended early)."""
    participant = placement.participant
    with transaction.atomic():
        placement.end_date, placement.ended_early = max(end_date, placement.start_date), True
        placement.save(update_fields=["end_date", "ended_early"])
        audit.record(
            "contracting.placement.ended",
            actor=actor,
            obj=placement,
            organisation_id=placement.institution_id,
            data={"end_date": placement.end_date},
        )
        if participant.status in {PS.PLACED, PS.RETAINED_14, PS.RETAINED_90}:
            if participant.contract.status in CONTRACT_RUNNING:
                change_participant_status(actor=actor, participant=participant, to=PS.IN_ACTIVATION)
            else:
                change_participant_status(
                    actor=actor,
                    participant=participant,
                    to=PS.DROPPED_OUT,
                    exit_reason=ExitReason.PLACEMENT_ENDED_EARLY,
                )


def due_retention_checks(*, on: dt.date | None = None) -> list[RetentionCheck]:
    """Checks due (or overdue) and not done, of placements still going, on running or settling
    contracts."""
    today = on or clock.local_now().date()
    return list(
        RetentionCheck.objects.filter(
            due_on__lte=today,
            done_at__isnull=True,
            placement__ended_early=False,
            placement__participant__contract__status__in=[*CONTRACT_RUNNING, CS.ENDED, CS.SETTLING],
        ).select_related("placement__participant__contract")
    )


def remind_retention_checks(*, on: dt.date | None = None, actor: Actor = SCHEDULER) -> int:
    """Mark due checks as reminded (once each) and tell the agency in the contract's thread."""
    due = [c for c in due_retention_checks(on=on) if c.reminded_at is None]
    for check in due:
        contract = check.placement.participant.contract
        with transaction.atomic():
            check.reminded_at = clock.now()
            check.save(update_fields=["reminded_at"])
            _post(
                actor=actor,
                contract=contract,
                sender=contract.office,
                recipient=contract.agency,
                participant_ref=check.placement.participant.ref,
                body=_("Employment check after %(days)d days is due on %(date)s.")
                % {"days": check.days, "date": check.due_on.isoformat()},
            )
    return len(due)


# --- Messages -------------------------------------------------------------------------------------


def _post(
    *, actor: Actor, contract: Contract, sender: Organisation, recipient: Organisation, body: str, participant_ref: str
) -> ContractMessage:
    message = ContractMessage.objects.create(
        contract=contract,
        participant_ref=participant_ref,
        sender=sender,
        recipient=recipient,
        author=user_of(actor),
        author_repr=name_of(actor)[:200],
        body=body,
        sent_at=clock.now(),
    )
    audit.record(
        "contracting.message.sent",
        actor=actor,
        obj=message,
        organisation_id=sender.pk,
        data={"contract": contract.number, "participant": participant_ref, "to": recipient.pk},
    )
    events.emit(
        "contracting.message.sent",
        obj=message,
        organisation_id=recipient.pk,
        payload={
            "id": str(message.message_id),
            "contract": str(contract.uuid),
            "participant": participant_ref,
            "from": str(sender.uuid),
            "to": str(recipient.uuid),
        },
    )
    return message


def send_message(*, actor: Actor, contract: Contract, body: str, participant_ref: str = "") -> ContractMessage:
    """A message from the actor's side of the contract to the other (optionally about one
    participant, named by reference only)."""
    side = require_side(actor, contract, OFFICE, AGENCY)
    text = body.strip()
    if not text:
        raise InvalidInput(field="body", message=_("Write a message."))
    if len(text) > 10_000:
        raise InvalidInput(field="body", message=_("The message is too long (at most 10,000 characters)."))
    if participant_ref and not contract.participants.filter(ref=participant_ref).exists():
        raise InvalidInput(field="participant_ref", message=_("No such participant on this contract."))
    sender = contract.office if side == OFFICE else contract.agency
    recipient = contract.agency if side == OFFICE else contract.office
    with transaction.atomic():
        return _post(
            actor=actor,
            contract=contract,
            sender=sender,
            recipient=recipient,
            body=text,
            participant_ref=participant_ref,
        )


def mark_read(*, actor: Actor, contract: Contract, messages: Iterable[ContractMessage]) -> int:
    """Mark the messages addressed to the actor's institution as read."""
    if is_system(actor):
        return 0
    side = require_side(actor, contract, OFFICE, AGENCY)
    own = contract.office if side == OFFICE else contract.agency
    ids = [m.pk for m in messages if m.contract_id == contract.pk and m.recipient_id == own.pk and m.read_at is None]
    if not ids:
        return 0
    with transaction.atomic():
        count = ContractMessage.objects.filter(pk__in=ids).update(read_at=clock.now())
        audit.record(
            "contracting.message.read",
            actor=actor,
            obj=contract,
            organisation_id=own.pk,
            data={"messages": count},
        )
    return count


def unread_count(*, actor: Actor, contract: Contract) -> int:
    side = require_side(actor, contract, OFFICE, AGENCY)
    own = contract.office if side == OFFICE else contract.agency
    return contract.messages.filter(recipient=own, read_at__isnull=True).count()


def indicator_progress(contract: Contract) -> dict[str, dict[str, int]]:
    """Per indicator (referred, admitted, placed, retained): the target and how many participants
    reached it (ever, also those who left later, counted by their history)."""
    return indicator_progress_many([contract])[contract.pk]


_INDICATOR_STATUS: dict[str, str] = {
    PS.REFERRED: "referred",
    PS.ADMITTED: "admitted",
    PS.PLACED: "placed",
    PS.RETAINED_90: "retained",
}


def indicator_progress_many(contracts: Iterable[Contract]) -> dict[int, dict[str, dict[str, int]]]:
    """``indicator_progress`` of many contracts in one grouped query (for the dashboards). The
    machine reaches each counted status only through the one before it (referred → admitted …
    placed → retained), so a participant's history has a row for every indicator it reached."""
    from django.db.models import Count

    chosen = {c.pk: c for c in contracts}
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(INDICATORS, 0) for pk in chosen}
    rows = (
        ParticipantTransition.objects.filter(
            participant__contract_id__in=list(chosen), to_status__in=list(_INDICATOR_STATUS)
        )
        .values("participant__contract_id", "to_status")
        .annotate(n=Count("participant_id", distinct=True))
    )
    for row in rows:
        counts[row["participant__contract_id"]][_INDICATOR_STATUS[row["to_status"]]] = row["n"]
    return {
        pk: {
            name: {"target": int(contract.indicators.get(name, 0)), "reached": counts[pk][name]} for name in INDICATORS
        }
        for pk, contract in chosen.items()
    }

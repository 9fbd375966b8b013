"""Data-sharing requests: propose, decide, synchronise, end (CONTRACTING.md, ADR 0061).

The data owner decides: the office for its registry data (``office_to_agency``: the agency asks, or
the office offers and approves itself), the agency for its records (``agency_to_office``: the office
asks). Approving packs ``SharedRecord`` packages with only the approved fields (the first
synchronisation, after which the request is active); every synchronisation re-checks the contract,
the status, the validity and the purpose's allow-list and logs each transfer.

Service API (keyword arguments, an explicit ``actor``; each one transaction, audited):

- ``create_request(actor, contract, direction, purpose, fields, participants, valid_from,
  valid_until, legal_basis="", submit=False)``
- ``submit_request(actor, request)`` / ``withdraw_request(actor, request)``
- ``decide_request(actor, request, approved_fields, note="")`` — full, partial (subset) or, with no
  fields, a rejection; ``reject_request(actor, request, note)``
- ``sync_request(actor, request)`` — re-pack and send what changed (approved → active on the first)
- ``sync_active_requests(actor=SCHEDULER)`` / ``sync_decided_requests(contract, actor)`` — the system
- ``revoke_request(actor, request, note="")`` — the data owner stops the flow
- ``expire_requests(on=None)`` — the system ends requests past their validity
- ``lapse_requests(contract, actor)`` — a contract that ends takes every open request with it
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting import accesslog, replication, sources
from okienko.contracting.access import AccessRefused, is_system, refuse, request_sides, require_side
from okienko.contracting.history import move
from okienko.contracting.models import (
    AccessLog,
    Contract,
    DataSharingRequest,
    Direction,
    Participant,
    SharedRecord,
    SharingPurpose,
    SharingTransition,
)
from okienko.contracting.states import (
    AGENCY,
    APPROVER,
    CONTRACT_DATA_FLOWS,
    CONTRACT_OPEN_FOR_REQUESTS,
    OFFICE,
    REQUESTER,
    SHARING,
    SHARING_FLOWING,
    SYSTEM,
    SharingStatus,
)
from okienko.core import audit, clock
from okienko.core.actors import SCHEDULER, Actor
from okienko.core.errors import Conflict, Forbidden, InvalidInput

SS = SharingStatus


def _move(request: DataSharingRequest, to: str, actor: Actor, *, note: str = "", extra: Iterable[str] = ()) -> str:
    return move(
        request,
        machine=SHARING,
        to=to,
        sides=sorted(request_sides(actor, request)),
        actor=actor,
        history=SharingTransition,
        link="request",
        note=note,
        organisation_id=request.approver_id,
        extra_fields=extra,
    )


def create_request(
    *,
    actor: Actor,
    contract: Contract,
    direction: str,
    purpose: SharingPurpose,
    fields: Iterable[str],
    participants: Iterable[Participant],
    valid_from: dt.date,
    valid_until: dt.date,
    legal_basis: str = "",
    submit: bool = False,
) -> DataSharingRequest:
    """A new request (draft, or submitted with ``submit``) from the actor's institution to the other
    side, or, for the office's own data, an offer the office then decides itself.

    Refused: a contract that has ended; a purpose of the other direction or inactive; fields
    outside the purpose's allow-list (audited); participants of another contract; bad dates.
    """
    side = require_side(actor, contract, OFFICE, AGENCY)
    requester = contract.office if side == OFFICE else contract.agency
    if direction not in Direction.values:
        raise InvalidInput(field="direction", message=_("Unknown direction."))
    approver = contract.office if direction == Direction.OFFICE_TO_AGENCY else contract.agency
    if direction == Direction.AGENCY_TO_OFFICE and side != OFFICE:
        raise Forbidden(_("Only the office asks for the agency's records."))
    if contract.status not in CONTRACT_OPEN_FOR_REQUESTS:
        raise Conflict(_("The contract has ended: no new data-sharing requests."))
    if not purpose.active or purpose.direction != direction:
        raise InvalidInput(field="purpose", message=_("This purpose does not allow sharing in this direction."))
    wanted = sorted(set(fields))
    if not wanted:
        raise InvalidInput(field="fields", message=_("Choose at least one field."))
    outside = sorted(set(wanted) - purpose.allowed_codes())
    if outside:
        refuse(
            actor,
            reason="field_out_of_scope",
            contract=contract,
            institution=requester,
            fields=outside,
            purpose=purpose.code,
            action=AccessLog.Action.TRANSFER,
        )
        raise InvalidInput(
            field="fields",
            message=_("These fields are not allowed for the purpose “%(purpose)s”: %(fields)s.")
            % {"purpose": purpose.name, "fields": ", ".join(outside)},
        )
    chosen = list(participants)
    if not chosen:
        raise InvalidInput(field="participants", message=_("Choose at least one participant."))
    if any(p.contract_id != contract.pk for p in chosen):
        raise InvalidInput(field="participants", message=_("Every participant must be on this contract."))
    if valid_until < valid_from:
        raise InvalidInput(field="valid_until", message=_("The request must end on or after its start."))
    if valid_until > contract.end_date:
        raise InvalidInput(field="valid_until", message=_("The request cannot outlast the contract."))
    now = clock.now()
    with transaction.atomic():
        request = DataSharingRequest.objects.create(
            contract=contract,
            direction=direction,
            requester=requester,
            approver=approver,
            purpose=purpose,
            legal_basis=legal_basis or purpose.legal_basis or contract.legal_basis,
            requested_fields=wanted,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=user_of(actor),
            created_at=now,
        )
        request.participants.set(chosen)
        audit.record(
            "contracting.sharing.created",
            actor=actor,
            obj=request,
            organisation_id=requester.pk if requester else None,
            data={"fields": wanted, "purpose": purpose.code, "participants": [p.ref for p in chosen]},
        )
        if submit:
            submit_request(actor=actor, request=request)
    return request


def submit_request(*, actor: Actor, request: DataSharingRequest) -> None:
    """Send a draft to the data owner."""
    with transaction.atomic():
        request.submitted_at = clock.now()
        _move(request, SS.SUBMITTED, actor, extra=["submitted_at"])


def withdraw_request(*, actor: Actor, request: DataSharingRequest, note: str = "") -> None:
    with transaction.atomic():
        _move(request, SS.WITHDRAWN, actor, note=note)


def reject_request(*, actor: Actor, request: DataSharingRequest, note: str) -> None:
    """The data owner says no (with a note the requester sees)."""
    with transaction.atomic():
        request.decision_note = note
        request.decided_by = user_of(actor)
        request.decided_at = clock.now()
        _move(request, SS.REJECTED, actor, note=note, extra=["decision_note", "decided_by", "decided_at"])


def decide_request(
    *, actor: Actor, request: DataSharingRequest, approved_fields: Iterable[str], note: str = ""
) -> DataSharingRequest:
    """The data owner approves all the requested fields, a subset (partial approval), or none
    (a rejection); approval sends the first packages and makes the request active."""
    approved = sorted(set(approved_fields))
    if not approved:
        reject_request(actor=actor, request=request, note=note)
        return request
    extra = sorted(set(approved) - set(request.requested_fields))
    if extra:
        raise InvalidInput(
            field="approved_fields", message=_("Only requested fields can be approved: %s.") % ", ".join(extra)
        )
    if request.contract.status not in CONTRACT_OPEN_FOR_REQUESTS:
        raise Conflict(_("The contract has ended: the request lapsed."))
    to = SS.APPROVED if set(approved) == set(request.requested_fields) else SS.PARTIALLY_APPROVED
    with transaction.atomic():
        request.approved_fields = approved
        request.decision_note = note
        request.decided_by = user_of(actor)
        request.decided_at = clock.now()
        _move(request, to, actor, note=note, extra=["approved_fields", "decision_note", "decided_by", "decided_at"])
        if request.contract.status in CONTRACT_DATA_FLOWS:
            sync_request(actor=actor, request=request)
    return request


def _pack(
    request: DataSharingRequest, participant: Participant, scope: set[str], records: dict[int, Any] | None = None
) -> dict[str, object]:
    if request.direction == Direction.OFFICE_TO_AGENCY:
        data = sources.person_fields(participant.person, scope) if participant.person_id else {}
    elif records is not None:
        data = records.get(participant.pk, {})
    else:
        data = sources.agency_records(participant, scope)
    # Checked when packing: nothing outside the approved scope leaves, whatever a source returns.
    return {code: value for code, value in data.items() if code in scope}


def log_transfers(
    request: DataSharingRequest,
    records: Iterable[SharedRecord],
    *,
    actor: Actor,
    institution: Organisation | None,
    reason: str = "",
) -> None:
    """Each package sent (or, on the receiving installation, received) in the access log."""
    accesslog.append(
        [
            accesslog.Entry(
                action=AccessLog.Action.TRANSFER,
                participant_ref=r.participant_ref,
                fields=sorted(r.fields),
                purpose=request.purpose.code,
                request_uuid=str(request.uuid),
                message_id=str(r.message_id),
                reason=reason,
            )
            for r in records
        ],
        actor=actor,
        institution=institution,
    )


def sync_request(*, actor: Actor, request: DataSharingRequest) -> list[SharedRecord]:
    """Pack and send the approved fields of every participant of the request (one package each),
    after re-checking the contract, the status, the validity and the purpose; each transfer is
    logged. The first synchronisation makes an approved request active; on the way, nominated
    participants become ``shared``."""
    contract = request.contract
    today = clock.local_now().date()
    sender = request.approver
    if contract.status not in CONTRACT_DATA_FLOWS:
        raise refuse(
            actor,
            reason="contract_not_running",
            contract=contract,
            institution=sender,
            request=request,
            action=AccessLog.Action.TRANSFER,
        )
    if request.status not in SHARING_FLOWING:
        raise refuse(
            actor,
            reason="no_request",
            contract=contract,
            institution=sender,
            request=request,
            action=AccessLog.Action.TRANSFER,
        )
    if not (request.valid_from <= today <= request.valid_until):
        raise refuse(
            actor,
            reason="outside_validity",
            contract=contract,
            institution=sender,
            request=request,
            action=AccessLog.Action.TRANSFER,
        )
    scope = set(request.approved_fields) & request.purpose.allowed_codes()
    now = clock.now()
    participants = list(request.participants.select_related("person").order_by("id"))
    # The newest package's digest per participant: an unchanged payload is not sent again.
    sent: dict[str, str] = {}
    for ref, digest in request.records.order_by("created_at", "id").values_list("participant_ref", "payload_sha256"):
        sent[ref] = digest
    agency_records = (
        sources.agency_records_many(participants, scope) if request.direction == Direction.AGENCY_TO_OFFICE else None
    )
    records = []
    for participant in participants:
        data = _pack(request, participant, scope, agency_records)
        digest = hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()
        if sent.get(participant.ref) == digest:
            continue
        records.append(
            SharedRecord(
                request=request, participant_ref=participant.ref, fields=data, payload_sha256=digest, created_at=now
            )
        )
    with transaction.atomic():
        SharedRecord.objects.bulk_create(records)
        log_transfers(request, records, actor=actor, institution=sender)
        request.last_synced_at = now
        request.save(update_fields=["last_synced_at"])
        if records:
            replication.changed("package", request, actor=actor, records=records)
        if request.status != SS.ACTIVE:
            move(
                request,
                machine=SHARING,
                to=SS.ACTIVE,
                sides=[SYSTEM],
                actor=actor,
                history=SharingTransition,
                link="request",
                organisation_id=request.approver_id,
                data={"packages": len(records)},
            )
        if request.direction == Direction.OFFICE_TO_AGENCY:
            from okienko.contracting.actions import mark_shared

            mark_shared(actor=actor, participants=[p for p in participants if p.status == "nominated"])
    return records


def sync_active_requests(*, actor: Actor = SCHEDULER, older_than: dt.timedelta = dt.timedelta(hours=20)) -> int:
    """Re-send what changed on every active request not synchronised for ``older_than`` (each sync
    re-checks the contract, status, validity and scope); a refused one is logged and skipped."""
    cutoff = clock.now() - older_than
    count = 0
    for request in DataSharingRequest.objects.filter(status=SS.ACTIVE, last_synced_at__lt=cutoff).select_related(
        "contract", "purpose", "approver"
    ):
        try:
            count += len(sync_request(actor=actor, request=request))
        except AccessRefused:
            continue
    return count


def sync_decided_requests(*, contract: Contract, actor: Actor = SCHEDULER) -> int:
    """Send the first packages of requests approved before the contract let data flow."""
    count = 0
    for request in contract.sharing_requests.filter(status__in=[SS.APPROVED, SS.PARTIALLY_APPROVED]):
        count += len(sync_request(actor=actor, request=request))
    return count


def revoke_request(*, actor: Actor, request: DataSharingRequest, note: str = "") -> None:
    """The data owner stops the flow: nothing more is sent and nothing already sent can be read."""
    with transaction.atomic():
        _move(request, SS.REVOKED, actor, note=note)


def expire_requests(*, on: dt.date | None = None, actor: Actor = SCHEDULER) -> int:
    """End the flowing requests whose validity is over (idempotent)."""
    today = on or clock.local_now().date()
    count = 0
    for request in DataSharingRequest.objects.filter(status__in=SHARING_FLOWING, valid_until__lt=today):
        with transaction.atomic():
            _move(request, SS.EXPIRED, actor)
        count += 1
    return count


def lapse_requests(*, contract: Contract, actor: Actor = SCHEDULER) -> int:
    """A contract that ended takes its open requests (pending or flowing) with it."""
    count = 0
    open_statuses = [s for (frm, to) in SHARING.transitions if to == SS.CONTRACT_ENDED for s in [frm]]
    for request in contract.sharing_requests.filter(status__in=open_statuses):
        move(
            request,
            machine=SHARING,
            to=SS.CONTRACT_ENDED,
            sides=[SYSTEM],
            actor=actor,
            history=SharingTransition,
            link="request",
            organisation_id=request.approver_id,
        )
        count += 1
    return count


def may(actor: Actor, request: DataSharingRequest, to: str) -> bool:
    """Whether the actor may move the request to ``to`` now (for the pages' buttons)."""
    sides = request_sides(actor, request) if not is_system(actor) else {SYSTEM}
    return any(SHARING.allowed(request.status, to, side) for side in sides)


__all__ = [
    "APPROVER",
    "REQUESTER",
    "create_request",
    "decide_request",
    "expire_requests",
    "lapse_requests",
    "may",
    "reject_request",
    "revoke_request",
    "submit_request",
    "sync_active_requests",
    "sync_decided_requests",
    "sync_request",
    "withdraw_request",
]

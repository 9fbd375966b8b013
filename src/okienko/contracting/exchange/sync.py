"""Mirrored contracts: what a change here sends to the partner, and how the partner's messages
are applied here (ADR 0063, decision 5).

Outgoing: ``on_change`` listens to ``contracting.replication`` inside the domain's transaction
and queues a message for every party of the contract that is a partner on another installation
— the contract's terms first (``contract.offer``), then nominations (references only), status
changes, sharing requests and decisions, and packages of approved data. A change applied from a
partner's message is not echoed back.

Incoming: one handler per type, each run by ``inbound.receive`` in a savepoint. Every handler
checks that the sender is the party entitled to the change, applies it through the same state
machines with the sender's side, and refuses with a reason otherwise: ``wrong_contract``,
``scope_exceeded``, ``state_refused`` or ``conflict`` (the local record changed since — shown on
the exchange page, never overwritten). A message about something not received yet waits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import envelope, inbound, keys, outbound
from okienko.contracting.exchange.envelope import Opened, Refused
from okienko.contracting.exchange.inbound import Waiting, handler
from okienko.contracting.exchange.models import Direction, ExchangeMessage, Partner
from okienko.contracting.history import move
from okienko.contracting.models import (
    Contract,
    ContractTransition,
    DataSharingRequest,
    Participant,
    ParticipantTransition,
    SharedRecord,
    SharingPurpose,
    SharingTransition,
    TrancheDefinition,
    TrancheScheme,
)
from okienko.contracting.replication import Change
from okienko.contracting.sharing import log_transfers
from okienko.contracting.states import (
    AGENCY,
    APPROVER,
    CONTRACT,
    CONTRACT_DATA_FLOWS,
    OFFICE,
    PARTICIPANT,
    REQUESTER,
    SHARING,
    SHARING_FLOWING,
    SYSTEM,
    ContractStatus,
    SharingStatus,
)
from okienko.core import audit, clock
from okienko.core.errors import TransitionNotAllowed

SS = SharingStatus
DECISIONS = {SS.APPROVED, SS.PARTIALLY_APPROVED, SS.REJECTED}
ENDINGS = {SS.REVOKED, SS.EXPIRED, SS.CONTRACT_ENDED, SS.WITHDRAWN}
CHUNK = 10_000


def _iso(value: dt.datetime | None) -> str:
    return (value or clock.now()).isoformat()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- Outgoing ------------------------------------------------------------------------------------


def is_exchange_actor(actor: Any) -> bool:
    return str(getattr(actor, "name", "")).startswith("exchange:")


def _contract_of(obj: Any) -> Contract | None:
    if isinstance(obj, Contract):
        return obj
    if isinstance(obj, Participant | DataSharingRequest):
        return obj.contract
    return None


def _parties(contract: Contract) -> list[Organisation]:
    return [o for o in (contract.office, contract.agency, contract.region_office) if o is not None]


def partners_of(contract: Contract) -> dict[int, Partner]:
    """The contract's parties that are partners on another installation, by organisation id."""
    ids = [o.pk for o in _parties(contract)]
    return {
        p.organisation_id: p for p in Partner.objects.filter(organisation_id__in=ids).select_related("organisation")
    }


def _sender_for(contract: Contract, partner: Partner) -> Organisation | None:
    """The local party that speaks to ``partner``: the office to the agency (and the regional
    office), the agency to the office."""
    if partner.organisation_id == contract.office_id:
        return contract.agency
    return contract.office


def _queue(contract: Contract, partner: Partner, type: str, body: dict[str, Any], **kw: Any) -> ExchangeMessage | None:
    sender = _sender_for(contract, partner)
    if sender is None or hasattr(sender, "exchange_partner"):
        return None  # both parties elsewhere: nothing of ours to say
    keys.ensure_keys(sender)
    return outbound.queue_message(
        sender=sender, partner=partner, type=type, body=body, contract=str(contract.uuid), **kw
    )


def contract_terms(contract: Contract) -> dict[str, Any]:
    scheme = contract.tranche_scheme
    tranches = [
        {
            "order": t.order,
            "name": t.name,
            "trigger": t.trigger,
            "minimum_days": t.minimum_days,
            "evidence_required": t.evidence_required,
            "percent": _money(t.percent),
            "amount": _money(t.amount),
        }
        for t in scheme.tranches.order_by("order")
    ]
    return {
        "uuid": str(contract.uuid),
        "number": contract.number,
        "office": keys.institution_id(contract.office),
        "agency": keys.institution_id(contract.agency),
        "region_office": keys.institution_id(contract.region_office) if contract.region_office else None,
        "title": contract.title,
        "legal_basis": contract.legal_basis,
        "procurement_reference": contract.procurement_reference,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "planned_participants": contract.planned_participants,
        "indicators": {k: int(v) for k, v in (contract.indicators or {}).items()},
        "price_per_participant": _money(contract.price_per_participant) or "0.00",
        "currency": contract.currency,
        "agency_role": contract.agency_role,
        "end_policy": contract.end_policy,
        "status": contract.status,
        "tranche_scheme": {"code": scheme.code, "name": scheme.name, "tranches": tranches},
    }


def offer_contract(contract: Contract, partner: Partner) -> ExchangeMessage | None:
    """Send the contract's terms (again) to the agency or the regional office on another
    installation; the office does this before anything else about the contract."""
    if partner.organisation_id == contract.office_id:
        return None
    return _queue(contract, partner, "contract.offer", contract_terms(contract))


def _ensure_offered(contract: Contract, partner: Partner) -> None:
    if partner.organisation_id == contract.office_id:
        return
    sent = ExchangeMessage.objects.filter(
        direction=Direction.OUT, partner=partner, type="contract.offer", contract_uuid=str(contract.uuid)
    ).exists()
    if not sent:
        offer_contract(contract, partner)


def _request_body(request: DataSharingRequest) -> dict[str, Any]:
    return {
        "request": str(request.uuid),
        "direction": request.direction,
        "purpose": request.purpose.code,
        "legal_basis": request.legal_basis[:300],
        "requested_fields": sorted(request.requested_fields),
        "participants": sorted(request.participants.values_list("ref", flat=True)),
        "valid_from": request.valid_from.isoformat(),
        "valid_until": request.valid_until.isoformat(),
    }


def _proposal_type(request: DataSharingRequest) -> str:
    return "records.request" if request.direction == "agency_to_office" else "sharing.proposal"


def _ensure_proposed(request: DataSharingRequest, partner: Partner) -> None:
    """The request goes to the partner once — from the side that made it (the partner's own
    requests came from there)."""
    if request.requester_id == partner.organisation_id:
        return
    sent = ExchangeMessage.objects.filter(
        direction=Direction.OUT, partner=partner, type=_proposal_type(request), correlation_id=request.uuid
    ).exists()
    if not sent:
        _queue(
            request.contract, partner, _proposal_type(request), _request_body(request), correlation_id=str(request.uuid)
        )


def _on_request_status(request: DataSharingRequest, partner: Partner, change: Change) -> None:
    to = change.data["to"]
    correlation = str(request.uuid)
    if to == SS.SUBMITTED:
        _ensure_proposed(request, partner)
    elif to in DECISIONS:
        if request.approver_id == partner.organisation_id:
            return  # the partner decided: it knows
        _ensure_proposed(request, partner)
        body = {
            "request": correlation,
            "status": to,
            "approved_fields": sorted(request.approved_fields) if to != SS.REJECTED else [],
            "decided_at": _iso(request.decided_at),
            **({"note": request.decision_note[:4000]} if request.decision_note else {}),
        }
        _queue(request.contract, partner, "sharing.decision", body, correlation_id=correlation)
    elif to in ENDINGS:
        sent_before = ExchangeMessage.objects.filter(
            direction=Direction.OUT, partner=partner, correlation_id=request.uuid
        ).exists()
        if sent_before:
            body = {"request": correlation, "status": to, "at": _iso(change.data.get("at"))}
            if change.data.get("note"):
                body["note"] = str(change.data["note"])[:4000]
            _queue(request.contract, partner, "sharing.revocation", body, correlation_id=correlation)


def on_change(change: Change) -> None:
    """The replication listener (registered by the app when it starts)."""
    if is_exchange_actor(change.actor):
        return
    contract = _contract_of(change.obj)
    if contract is None:
        return
    partners = partners_of(contract)
    if not partners:
        return
    for partner in partners.values():
        if partner.status != Partner.Status.TRUSTED:
            continue
        _ensure_offered(contract, partner)
        obj = change.obj
        if change.kind == "status":
            transition = {"from": change.data["before"], "to": change.data["to"], "at": _iso(change.data.get("at"))}
            if change.data.get("note"):
                transition["note"] = str(change.data["note"])[:4000]
            if isinstance(obj, Contract):
                _queue(contract, partner, "contract.status", transition)
            elif isinstance(obj, Participant):
                body = {"ref": obj.ref, **transition}
                body.pop("note", None)
                body["exit_reason"] = obj.exit_reason
                body["referral_date"] = obj.referral_date.isoformat() if obj.referral_date else None
                _queue(contract, partner, "participant.status", body)
            elif isinstance(obj, DataSharingRequest):
                _on_request_status(obj, partner, change)
        elif change.kind == "nominated" and partner.organisation_id != contract.office_id:
            rows = [
                {"ref": p.ref, "status": p.status, "nominated_at": _iso(p.nominated_at)}
                for p in change.data["participants"]
            ]
            for start in range(0, len(rows), CHUNK):
                _queue(contract, partner, "participant.nominated", {"participants": rows[start : start + CHUNK]})
        elif change.kind == "package" and isinstance(obj, DataSharingRequest):
            recipient = obj.contract.agency_id if obj.direction == "office_to_agency" else obj.contract.office_id
            if partner.organisation_id != recipient:
                continue
            _ensure_proposed(obj, partner)
            records: list[SharedRecord] = change.data["records"]
            for start in range(0, len(records), CHUNK):
                body = {
                    "request": str(obj.uuid),
                    "direction": obj.direction,
                    "records": [
                        {
                            "ref": r.participant_ref,
                            "record_id": str(r.message_id),
                            "fields": r.fields,
                            "sha256": r.payload_sha256,
                        }
                        for r in records[start : start + CHUNK]
                    ],
                }
                _queue(contract, partner, "data.package", body, correlation_id=str(obj.uuid), purpose=obj.purpose.code)


# --- Incoming ------------------------------------------------------------------------------------


def _side_of(partner: Partner, contract: Contract) -> str:
    if partner.organisation_id in (contract.office_id, contract.region_office_id):
        return OFFICE
    if partner.organisation_id == contract.agency_id:
        return AGENCY
    raise Refused("wrong_contract", "the sender is not a party of the contract")


def _contract(opened: Opened) -> Contract:
    found = (
        Contract.objects.select_related("office", "agency", "region_office")
        .filter(uuid=opened.header["contract"])
        .first()
    )
    if found is None:
        raise Waiting(f"contract {opened.header['contract']} not received yet")
    _side_of(opened.partner, found)
    if opened.receiver.pk not in (found.office_id, found.agency_id, found.region_office_id):
        raise Refused("wrong_contract", "this institution is not a party of the contract")
    return found


def _move(obj: Any, *, machine: Any, to: str, side: str, actor: Any, history: Any, link: str, **kw: Any) -> None:
    try:
        move(obj, machine=machine, to=to, sides=[side], actor=actor, history=history, link=link, **kw)
    except TransitionNotAllowed as exc:
        raise Refused("state_refused", str(exc)) from exc


def _check_from(current: str, body: dict[str, Any]) -> bool:
    """Whether to apply a transition: ``False`` when it is already applied (a retry)."""
    if current == body["to"]:
        return False
    if current != body["from"]:
        raise Refused("conflict", f"here the record is {current}, the partner moved it from {body['from']}")
    return True


def _organisation_for(institution_id: str | None, opened: Opened) -> Organisation | None:
    if not institution_id:
        return None
    if institution_id == opened.partner.institution_id:
        return opened.partner.organisation
    local = envelope.local_institution(institution_id)
    if local is not None:
        return local
    partner = Partner.objects.filter(institution_id=institution_id).select_related("organisation").first()
    return partner.organisation if partner else None


def _scheme(data: dict[str, Any]) -> TrancheScheme:
    scheme, created = TrancheScheme.objects.get_or_create(code=data["code"], defaults={"name": data["name"]})
    if created:
        TrancheDefinition.objects.bulk_create(
            TrancheDefinition(
                scheme=scheme,
                order=t["order"],
                name=t["name"],
                trigger=t["trigger"],
                minimum_days=t["minimum_days"],
                evidence_required=t["evidence_required"],
                percent=Decimal(t["percent"]) if t.get("percent") else None,
                amount=Decimal(t["amount"]) if t.get("amount") else None,
            )
            for t in data["tranches"]
        )
    return scheme


@handler("contract.offer")
def apply_offer(opened: Opened, message: ExchangeMessage) -> None:
    body = opened.body
    if body["uuid"] != opened.header["contract"]:
        raise Refused("wrong_contract", "the envelope and the terms name different contracts")
    if opened.partner.institution_id not in (body["office"], body.get("region_office")):
        raise Refused("wrong_contract", "only the office offers a contract")
    if keys.institution_id(opened.receiver) != body["agency"]:
        raise Refused("wrong_contract", "the contract is with another agency")
    office = _organisation_for(body["office"], opened)
    if office is None:
        raise Refused("wrong_contract", "the office is not known here")
    terms = {
        "number": body["number"],
        "title": body.get("title", ""),
        "legal_basis": body["legal_basis"],
        "procurement_reference": body.get("procurement_reference", ""),
        "start_date": dt.date.fromisoformat(body["start_date"]),
        "end_date": dt.date.fromisoformat(body["end_date"]),
        "planned_participants": body["planned_participants"],
        "indicators": body["indicators"],
        "price_per_participant": Decimal(body["price_per_participant"]),
        "currency": body["currency"],
        "agency_role": body["agency_role"],
        "end_policy": body["end_policy"],
        "tranche_scheme": _scheme(body["tranche_scheme"]),
        "region_office": _organisation_for(body.get("region_office"), opened),
    }
    now = clock.now()
    existing = Contract.objects.filter(uuid=body["uuid"]).first()
    if existing is None:
        Contract.objects.create(
            uuid=body["uuid"],
            office=office,
            agency=opened.receiver,
            status=body["status"],
            created_at=now,
            updated_at=now,
            **terms,
        )
        return
    if existing.office_id != office.pk or existing.agency_id != opened.receiver.pk:
        raise Refused("wrong_contract", "the contract exists here with other parties")
    for name, value in terms.items():
        setattr(existing, name, value)
    existing.updated_at = now
    existing.save()


@handler("contract.status")
def apply_contract_status(opened: Opened, message: ExchangeMessage) -> None:
    contract = _contract(opened)
    if _side_of(opened.partner, contract) != OFFICE:
        raise Refused("wrong_contract", "only the office changes the contract's status")
    if not _check_from(contract.status, opened.body):
        return
    actor = inbound.actor_for(opened.partner.institution_id)
    to = opened.body["to"]
    # Closing is guarded by both certificates, checked here too.
    if to == ContractStatus.CLOSED and not (contract.office_certified_at and contract.agency_certified_at):
        raise Refused("state_refused", "the contract closes only after both certificates")
    _move(
        contract,
        machine=CONTRACT,
        to=to,
        side=OFFICE,
        actor=actor,
        history=ContractTransition,
        link="contract",
        note=opened.body.get("note", ""),
        organisation_id=contract.agency_id,
    )
    if to in (ContractStatus.ENDED, ContractStatus.CANCELLED):
        from okienko.contracting.sharing import lapse_requests

        lapse_requests(contract=contract, actor=actor)


@handler("participant.nominated")
def apply_nominated(opened: Opened, message: ExchangeMessage) -> None:
    contract = _contract(opened)
    if _side_of(opened.partner, contract) != OFFICE:
        raise Refused("wrong_contract", "only the office nominates participants")
    rows = opened.body["participants"]
    refs = [r["ref"] for r in rows]
    elsewhere = Participant.objects.filter(ref__in=refs).exclude(contract=contract).exists()
    if elsewhere:
        raise Refused("wrong_contract", "a reference belongs to another contract")
    known = set(Participant.objects.filter(contract=contract, ref__in=refs).values_list("ref", flat=True))
    now = clock.now()
    Participant.objects.bulk_create(
        Participant(
            ref=r["ref"],
            contract=contract,
            person=None,
            status=r["status"],
            nominated_at=dt.datetime.fromisoformat(r["nominated_at"]),
            updated_at=now,
        )
        for r in rows
        if r["ref"] not in known
    )


def _participant(contract: Contract, ref: str) -> Participant:
    found = Participant.objects.filter(contract=contract, ref=ref).first()
    if found is None:
        if Participant.objects.filter(ref=ref).exists():
            raise Refused("wrong_contract", f"{ref} is on another contract")
        raise Waiting(f"participant {ref} not received yet")
    return found


@handler("participant.status")
def apply_participant_status(opened: Opened, message: ExchangeMessage) -> None:
    contract = _contract(opened)
    side = _side_of(opened.partner, contract)
    participant = _participant(contract, opened.body["ref"])
    if not _check_from(participant.status, opened.body):
        return
    participant.exit_reason = opened.body.get("exit_reason", "") or ""
    referral = opened.body.get("referral_date")
    participant.referral_date = dt.date.fromisoformat(referral) if referral else participant.referral_date
    _move(
        participant,
        machine=PARTICIPANT,
        to=opened.body["to"],
        side=side,
        actor=inbound.actor_for(opened.partner.institution_id),
        history=ParticipantTransition,
        link="participant",
        organisation_id=contract.office_id,
        extra_fields=["exit_reason", "referral_date"],
    )


def _apply_proposal(opened: Opened, *, direction: str) -> None:
    contract = _contract(opened)
    body = opened.body
    if body["direction"] != direction:
        raise Refused("schema_invalid", f"direction must be {direction}")
    side = _side_of(opened.partner, contract)
    if direction == "agency_to_office" and side != OFFICE:
        raise Refused("wrong_contract", "only the office asks for the agency's records")
    existing = DataSharingRequest.objects.filter(uuid=body["request"]).first()
    if existing is not None:
        if existing.contract_id != contract.pk:
            raise Refused("wrong_contract", "the request belongs to another contract")
        return  # already here (a retry)
    purpose = SharingPurpose.objects.filter(code=body["purpose"], direction=direction, active=True).first()
    if purpose is None:
        raise Refused("state_refused", f"the purpose {body['purpose']} is not configured here")
    outside = sorted(set(body["requested_fields"]) - purpose.allowed_codes())
    if outside:
        raise Refused("scope_exceeded", "not in the purpose's allow-list: " + ", ".join(outside))
    participants = list(Participant.objects.filter(contract=contract, ref__in=body["participants"]))
    if len(participants) != len(set(body["participants"])):
        raise Waiting("some participants not received yet")
    requester = opened.partner.organisation
    approver = contract.office if direction == "office_to_agency" else contract.agency
    now = clock.now()
    request = DataSharingRequest.objects.create(
        uuid=body["request"],
        contract=contract,
        direction=direction,
        requester=requester,
        approver=approver,
        purpose=purpose,
        legal_basis=body["legal_basis"],
        requested_fields=sorted(body["requested_fields"]),
        valid_from=dt.date.fromisoformat(body["valid_from"]),
        valid_until=dt.date.fromisoformat(body["valid_until"]),
        created_at=now,
        submitted_at=now,
    )
    request.participants.set(participants)
    _move(
        request,
        machine=SHARING,
        to=SS.SUBMITTED,
        side=REQUESTER,
        actor=inbound.actor_for(opened.partner.institution_id),
        history=SharingTransition,
        link="request",
        organisation_id=approver.pk,
    )


@handler("sharing.proposal")
def apply_proposal(opened: Opened, message: ExchangeMessage) -> None:
    _apply_proposal(opened, direction="office_to_agency")


@handler("records.request")
def apply_records_request(opened: Opened, message: ExchangeMessage) -> None:
    _apply_proposal(opened, direction="agency_to_office")


def _request(opened: Opened, contract: Contract) -> DataSharingRequest:
    found = DataSharingRequest.objects.select_related("purpose").filter(uuid=opened.body["request"]).first()
    if found is None:
        raise Waiting(f"request {opened.body['request']} not received yet")
    if found.contract_id != contract.pk:
        raise Refused("wrong_contract", "the request belongs to another contract")
    return found


@handler("sharing.decision")
def apply_decision(opened: Opened, message: ExchangeMessage) -> None:
    contract = _contract(opened)
    request = _request(opened, contract)
    if opened.partner.organisation_id != request.approver_id:
        raise Refused("wrong_contract", "only the data owner decides")
    body = opened.body
    same_fields = sorted(request.approved_fields) == sorted(body["approved_fields"])
    if request.status == body["status"] or (
        request.status == SS.ACTIVE and body["status"] != SS.REJECTED and same_fields
    ):
        return  # already applied (data has flowed since)
    if request.status != SS.SUBMITTED:
        raise Refused("conflict", f"here the request is {request.status}")
    extra = sorted(set(body["approved_fields"]) - set(request.requested_fields))
    if extra:
        raise Refused("scope_exceeded", "approved fields that were not requested: " + ", ".join(extra))
    request.approved_fields = sorted(body["approved_fields"])
    request.decision_note = body.get("note", "")
    request.decided_at = dt.datetime.fromisoformat(body["decided_at"])
    _move(
        request,
        machine=SHARING,
        to=body["status"],
        side=APPROVER,
        actor=inbound.actor_for(opened.partner.institution_id),
        history=SharingTransition,
        link="request",
        organisation_id=request.approver_id,
        extra_fields=["approved_fields", "decision_note", "decided_at"],
    )


@handler("sharing.revocation")
def apply_revocation(opened: Opened, message: ExchangeMessage) -> None:
    contract = _contract(opened)
    request = _request(opened, contract)
    to = opened.body["status"]
    if request.status == to or request.status in SHARING.final:
        return
    side = APPROVER if opened.partner.organisation_id == request.approver_id else REQUESTER
    side = SYSTEM if to in (SS.EXPIRED, SS.CONTRACT_ENDED) else side
    _move(
        request,
        machine=SHARING,
        to=to,
        side=side,
        actor=inbound.actor_for(opened.partner.institution_id),
        history=SharingTransition,
        link="request",
        note=opened.body.get("note", ""),
        organisation_id=request.approver_id,
    )


@handler("data.package")
def apply_package(opened: Opened, message: ExchangeMessage) -> None:
    """Approved data arrives: every check of the sender's packing is made again here before a
    single record is stored — owner, direction, contract and request state, validity, scope."""
    contract = _contract(opened)
    request = _request(opened, contract)
    body = opened.body
    if opened.partner.organisation_id != request.approver_id:
        raise Refused("wrong_contract", "only the data owner sends its data")
    if body["direction"] != request.direction:
        raise Refused("wrong_contract", "the package's direction is not the request's")
    recipient = contract.agency_id if request.direction == "office_to_agency" else contract.office_id
    if recipient != opened.receiver.pk:
        raise Refused("wrong_contract", "this institution is not the request's recipient")
    if contract.status not in CONTRACT_DATA_FLOWS:
        raise Refused("state_refused", f"the contract is {contract.status}: no data flows")
    if request.status not in SHARING_FLOWING:
        raise Refused("state_refused", f"the request is {request.status}: no data flows")
    today = clock.local_now().date()
    if not (request.valid_from <= today <= request.valid_until):
        raise Refused("state_refused", "outside the request's validity")
    scope = set(request.approved_fields) & request.purpose.allowed_codes()
    allowed_refs = set(request.participants.values_list("ref", flat=True))
    for record in body["records"]:
        outside = sorted(set(record["fields"]) - scope)
        if outside:
            raise Refused("scope_exceeded", f"{record['ref']}: " + ", ".join(outside))
        if record["ref"] not in allowed_refs:
            raise Refused("scope_exceeded", f"{record['ref']} is not covered by the request")
        if envelope.sha256(envelope.canonical(record["fields"])) != record["sha256"]:
            raise Refused("payload_hash_mismatch", record["ref"])
    known = {
        str(u)
        for u in SharedRecord.objects.filter(message_id__in=[r["record_id"] for r in body["records"]]).values_list(
            "message_id", flat=True
        )
    }
    now = clock.now()
    fresh = [
        SharedRecord(
            message_id=uuid.UUID(r["record_id"]),
            request=request,
            participant_ref=r["ref"],
            fields=r["fields"],
            payload_sha256=r["sha256"],
            created_at=now,
        )
        for r in body["records"]
        if r["record_id"] not in known
    ]
    SharedRecord.objects.bulk_create(fresh)
    log_transfers(
        request,
        fresh,
        actor=inbound.actor_for(opened.partner.institution_id),
        institution=opened.receiver,
        reason=f"received in {opened.header['id']}",
    )
    request.last_synced_at = now
    request.save(update_fields=["last_synced_at"])
    if request.status != SS.ACTIVE:
        _move(
            request,
            machine=SHARING,
            to=SS.ACTIVE,
            side=SYSTEM,
            actor=inbound.actor_for(opened.partner.institution_id),
            history=SharingTransition,
            link="request",
            organisation_id=request.approver_id,
        )


def resync_contract(contract: Contract, *, actor: Any) -> int:
    """Send a partner everything of a contract that started before the two were paired: the terms,
    every participant (references and statuses), the requests this side made or decided, and the
    newest package of each flowing request for which the partner is the recipient. The receiver
    skips what it has (ids are stable), so running it again is harmless. Returns the messages queued."""
    queued = 0
    for partner in partners_of(contract).values():
        if partner.status != Partner.Status.TRUSTED:
            continue
        before = ExchangeMessage.objects.filter(direction=Direction.OUT, partner=partner).count()
        offer_contract(contract, partner)
        if partner.organisation_id != contract.office_id:
            rows = [
                {"ref": p.ref, "status": p.status, "nominated_at": _iso(p.nominated_at)}
                for p in contract.participants.order_by("nominated_at", "id")
            ]
            for start in range(0, len(rows), CHUNK):
                _queue(contract, partner, "participant.nominated", {"participants": rows[start : start + CHUNK]})
        for request in contract.sharing_requests.select_related("purpose").order_by("created_at", "id"):
            if request.status == SS.DRAFT:
                continue
            _ensure_proposed(request, partner)
            decided = request.status not in (SS.SUBMITTED, SS.WITHDRAWN) and request.decided_at is not None
            if decided and request.approver_id != partner.organisation_id:
                status = (
                    request.status
                    if request.status in DECISIONS
                    else (
                        SS.APPROVED
                        if set(request.approved_fields) == set(request.requested_fields)
                        else SS.PARTIALLY_APPROVED
                    )
                )
                body = {
                    "request": str(request.uuid),
                    "status": status,
                    "approved_fields": sorted(request.approved_fields) if status != SS.REJECTED else [],
                    "decided_at": _iso(request.decided_at),
                }
                _queue(contract, partner, "sharing.decision", body, correlation_id=str(request.uuid))
            recipient = contract.agency_id if request.direction == "office_to_agency" else contract.office_id
            if request.status in SHARING_FLOWING and partner.organisation_id == recipient:
                newest: dict[str, SharedRecord] = {}
                for record in request.records.order_by("created_at", "id"):
                    newest[record.participant_ref] = record
                if newest:
                    on_change(Change("package", request, None, {"records": list(newest.values())}))
        audit.record(
            "contracting.exchange.resynced",
            actor=actor,
            obj=contract,
            organisation_id=contract.office_id,
            data={"partner": partner.institution_id, "contract": str(contract.uuid)},
        )
        queued += ExchangeMessage.objects.filter(direction=Direction.OUT, partner=partner).count() - before
    return queued

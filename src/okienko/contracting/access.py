"""Who may see and do what in Kontraktor: one question per function, one condition per line.

Two kinds of question:

- *sides*: is the user on the office side (``contracting.office`` in the contract's PUP or WUP) or
  the agency side (``contracting.agency`` in the contract's agency) of a contract?
- *shared data*: may the user read this participant's data that the other institution sent? Only
  through ``SharedRecord`` packages of a request that is approved or active, valid today, for the
  purpose asked, on a contract that has not ended, and only the approved fields. Every read and
  every refusal is written to the access log; a refusal is also a security entry in the audit log
  and raises ``AccessRefused`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.access import has_perm_in, organisations_with
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.contracting import accesslog
from okienko.contracting.models import (
    AccessLog,
    ActivationEvent,
    Contract,
    DataSharingRequest,
    Direction,
    Participant,
    SharedRecord,
)
from okienko.contracting.states import (
    AGENCY,
    APPROVER,
    CONTRACT_DATA_FLOWS,
    OFFICE,
    REQUESTER,
    SHARING_READABLE,
    SYSTEM,
)
from okienko.core import audit, clock
from okienko.core.actors import Actor, SystemActor, signed_in
from okienko.core.errors import Forbidden, NotFound
from okienko.core.ids import parse_uuid
from okienko.core.models import AuditRecord


class AccessRefused(Forbidden):
    """Shared data the caller may not read; ``reason`` is a stable code, ``message`` for people."""

    slug = "shared-data-refused"

    def __init__(self, reason: str, message: Any) -> None:
        super().__init__(message, reason=reason)
        self.reason = reason


REFUSALS: dict[str, Any] = {
    "not_recipient": _("Your institution is not the recipient of this data."),
    "contract_not_running": _("The contract has ended or is not in force: shared data can no longer be read."),
    "no_request": _("No approved data-sharing request covers this participant."),
    "outside_validity": _("The data-sharing request is not valid today."),
    "wrong_purpose": _("The data was shared for a different purpose."),
    "field_out_of_scope": _("You asked for data outside the approved scope."),
}


# --- Sides ----------------------------------------------------------------------------------------


def is_system(actor: Actor) -> bool:
    return actor is None or isinstance(actor, SystemActor)


def sides_of(actor: Actor, contract: Contract) -> set[str]:
    """The sides of ``contract`` the actor is on (empty: none; the system is the system)."""
    if is_system(actor):
        return {SYSTEM}
    if not signed_in(actor):
        return set()
    sides: set[str] = set()
    if has_perm_in(actor, Perm.CONTRACTING_OFFICE, contract.office) or (
        contract.region_office is not None and has_perm_in(actor, Perm.CONTRACTING_OFFICE, contract.region_office)
    ):
        sides.add(OFFICE)
    if has_perm_in(actor, Perm.CONTRACTING_AGENCY, contract.agency):
        sides.add(AGENCY)
    return sides


def institution_for(side: str, contract: Contract) -> Organisation | None:
    """The institution that acts for ``side`` on ``contract`` (the PUP for the office side)."""
    if side == OFFICE:
        return contract.office
    if side == AGENCY:
        return contract.agency
    return None


def visible_contracts(user: Actor) -> QuerySet[Contract]:
    """Contracts the user is a side of: their offices' (PUP or WUP) and their agencies'."""
    if is_system(user):
        return Contract.objects.all()
    offices = organisations_with(user, Perm.CONTRACTING_OFFICE)
    agencies = organisations_with(user, Perm.CONTRACTING_AGENCY)
    return Contract.objects.filter(Q(office__in=offices) | Q(region_office__in=offices) | Q(agency__in=agencies))


def access_contract(user: Actor, contract_id: object) -> Contract:
    """The contract with this UUID if the user is a side of it, else ``NotFound`` (audited)."""
    key = parse_uuid(contract_id)
    if key is None:
        raise NotFound
    contract = Contract.objects.select_related("office", "agency", "region_office").filter(uuid=key).first()
    if contract is None:
        raise NotFound
    if not sides_of(user, contract):
        audit.record_denied(user, contract, organisation_id=contract.office_id, purpose="contract")
        raise NotFound
    return contract


def require_side(user: Actor, contract: Contract, *allowed: str) -> str:
    """The user's side on ``contract`` among ``allowed`` (office first), else ``Forbidden``."""
    sides = sides_of(user, contract)
    for side in (OFFICE, AGENCY, SYSTEM):
        if side in allowed and side in sides:
            return side
    raise Forbidden(_("Your institution may not do this on this contract."))


def office_participants(user: Actor, contract: Contract) -> QuerySet[Participant]:
    """The office's own list: its participants with their registry rows (its own data)."""
    require_side(user, contract, OFFICE, SYSTEM)
    return contract.participants.select_related("person")


def agency_participants(user: Actor, contract: Contract, *, on: dt.date | None = None) -> QuerySet[Participant]:
    """The participants the agency may know of: those covered by a flowing request of this
    contract, valid today (the reference and status only; data is read with ``read_shared``)."""
    require_side(user, contract, AGENCY, SYSTEM)
    if contract.status not in CONTRACT_DATA_FLOWS:
        return Participant.objects.none()
    today = on or clock.local_now().date()
    requests = DataSharingRequest.objects.filter(
        contract=contract,
        direction=Direction.OFFICE_TO_AGENCY,
        status__in=SHARING_READABLE,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    return contract.participants.filter(sharing_requests__in=requests).distinct().order_by("nominated_at", "id")


# While these last the agency still works with the participants it was sent (employment checks,
# claims after the end), by reference and status only: their data is read with ``read_shared``.
AGENCY_WORKS = frozenset({"active", "suspended", "ended", "settling"})


def agency_known_participants(user: Actor, contract: Contract) -> QuerySet[Participant]:
    """The participants whose data was ever sent to the agency on this contract, while the agency
    still works on it (running, ended, settling): references and statuses, never their data."""
    require_side(user, contract, AGENCY, SYSTEM)
    if contract.status not in AGENCY_WORKS:
        return Participant.objects.none()
    sent = SharedRecord.objects.filter(
        request__contract=contract, request__direction=Direction.OFFICE_TO_AGENCY
    ).values("participant_ref")
    return contract.participants.filter(ref__in=sent).order_by("nominated_at", "id")


def access_participant(user: Actor, contract: Contract, ref: str) -> Participant:
    """A participant of ``contract`` by reference: the office sees its own; the agency one whose
    data it was sent (``agency_known_participants``). Anything else is ``NotFound`` (audited)."""
    sides = sides_of(user, contract)
    participant = contract.participants.filter(ref=ref).first()
    if participant is None:
        raise NotFound
    if OFFICE in sides or SYSTEM in sides:
        return participant
    if AGENCY in sides and agency_known_participants(user, contract).filter(pk=participant.pk).exists():
        return participant
    audit.record_denied(user, participant, organisation_id=contract.office_id, purpose="participant")
    raise NotFound


def own_events(user: Actor, participant: Participant) -> QuerySet[ActivationEvent]:
    """The events the user's institution recorded itself (its own data, no sharing needed)."""
    contract = participant.contract
    sides = sides_of(user, contract)
    institutions = [i.pk for s in sides if (i := institution_for(s, contract)) is not None]
    return participant.events.filter(institution_id__in=institutions)


# --- Shared data ----------------------------------------------------------------------------------


def recipient_side(direction: str) -> str:
    return AGENCY if direction == Direction.OFFICE_TO_AGENCY else OFFICE


def request_sides(actor: Actor, request: DataSharingRequest) -> set[str]:
    """Requester and/or approver (the data owner), by the actor's institution on the contract."""
    if is_system(actor):
        return {SYSTEM}
    contract = request.contract
    sides: set[str] = set()
    for side in sides_of(actor, contract):
        institution = institution_for(side, contract)
        if institution is None:
            continue
        if institution.pk == request.requester_id:
            sides.add(REQUESTER)
        if institution.pk == request.approver_id:
            sides.add(APPROVER)
    return sides


@dataclass(frozen=True)
class SharedView:
    """What the caller may see of one participant through one package."""

    participant_ref: str
    fields: dict[str, Any]
    purpose: str
    request_uuid: str
    message_id: str
    sent_at: dt.datetime
    valid_until: dt.date


def refuse(
    actor: Actor,
    *,
    reason: str,
    contract: Contract,
    institution: Organisation | None,
    participant_ref: str = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    request: DataSharingRequest | None = None,
    action: str = AccessLog.Action.READ,
) -> AccessRefused:
    """Write the refusal to the access log and the audit log; return the error to raise."""
    with transaction.atomic():
        accesslog.append(
            [
                accesslog.Entry(
                    action=action,
                    participant_ref=participant_ref,
                    fields=list(fields),
                    purpose=purpose,
                    request_uuid=str(request.uuid) if request else "",
                    outcome=AccessLog.Outcome.REFUSED,
                    reason=reason,
                )
            ],
            actor=actor,
            institution=institution,
        )
        audit.record(
            "contracting.shared_data.refused",
            actor=actor,
            obj=request or contract,
            organisation_id=institution.pk if institution else None,
            data={"reason": reason, "participant": participant_ref, "fields": sorted(fields), "purpose": purpose},
            kind=AuditRecord.Kind.SECURITY,
        )
    return AccessRefused(reason, REFUSALS.get(reason, REFUSALS["no_request"]))


def read_shared(
    user: Actor,
    *,
    contract: Contract,
    participant_ref: str,
    direction: str,
    purpose: str | None = None,
    fields: Iterable[str] | None = None,
    on: dt.date | None = None,
) -> SharedView:
    """Read the newest package of a participant's data sent to the user's institution in
    ``direction``: the registry data for the agency (``office_to_agency``) or the agency's records
    for the office (``agency_to_office``). ``fields``: only these (each must be approved).

    Refused (``AccessRefused``, logged and audited) unless: the user is on the recipient side, the
    contract is in force, an active request of the contract covering the participant is
    valid today, for ``purpose`` when given. Only approved fields of the purpose's allow-list are
    returned, whatever the package holds. The read is logged.
    """
    side = recipient_side(direction)
    institution = institution_for(side, contract)
    wanted = sorted(set(fields)) if fields is not None else []

    def no(reason: str, request: DataSharingRequest | None = None) -> AccessRefused:
        return refuse(
            user,
            reason=reason,
            contract=contract,
            institution=institution,
            participant_ref=participant_ref,
            fields=wanted,
            purpose=purpose or "",
            request=request,
        )

    if side not in sides_of(user, contract) and SYSTEM not in sides_of(user, contract):
        raise no("not_recipient")
    if contract.status not in CONTRACT_DATA_FLOWS:
        raise no("contract_not_running")
    today = on or clock.local_now().date()
    candidates = list(
        DataSharingRequest.objects.filter(
            contract=contract,
            direction=direction,
            status__in=SHARING_READABLE,
            participants__ref=participant_ref,
        )
        .select_related("purpose")
        .order_by("-decided_at", "-id")
    )
    if not candidates:
        raise no("no_request")
    valid = [r for r in candidates if r.valid_from <= today <= r.valid_until]
    if not valid:
        raise no("outside_validity", candidates[0])
    if purpose is not None:
        valid = [r for r in valid if r.purpose.code == purpose]
        if not valid:
            raise no("wrong_purpose", candidates[0])
    request = valid[0]
    scope = set(request.approved_fields) & request.purpose.allowed_codes()
    if fields is not None and not set(wanted) <= scope:
        raise no("field_out_of_scope", request)
    record = (
        SharedRecord.objects.filter(request=request, participant_ref=participant_ref)
        .order_by("-created_at", "-id")
        .first()
    )
    if record is None:
        raise no("no_request", request)
    shown = set(wanted) if fields is not None else scope
    data = {code: value for code, value in record.fields.items() if code in shown}  # checked again on reading
    accesslog.append(
        [
            accesslog.Entry(
                action=AccessLog.Action.READ,
                participant_ref=participant_ref,
                fields=sorted(data),
                purpose=request.purpose.code,
                request_uuid=str(request.uuid),
                message_id=str(record.message_id),
            )
        ],
        actor=user,
        institution=institution,
    )
    return SharedView(
        participant_ref=participant_ref,
        fields=data,
        purpose=request.purpose.code,
        request_uuid=str(request.uuid),
        message_id=str(record.message_id),
        sent_at=record.created_at,
        valid_until=request.valid_until,
    )


def read_registry_data(user: Actor, contract: Contract, participant_ref: str, **kwargs: Any) -> SharedView:
    """The agency reads a participant's registry data (``read_shared`` office → agency)."""
    return read_shared(
        user, contract=contract, participant_ref=participant_ref, direction=Direction.OFFICE_TO_AGENCY, **kwargs
    )


def read_agency_records(user: Actor, contract: Contract, participant_ref: str, **kwargs: Any) -> SharedView:
    """The office reads the agency's records of a participant (``read_shared`` agency → office)."""
    return read_shared(
        user, contract=contract, participant_ref=participant_ref, direction=Direction.AGENCY_TO_OFFICE, **kwargs
    )


def participant_access_log(user: Actor, contract: Contract, participant_ref: str) -> QuerySet[AccessLog]:
    """Who read or was sent a participant's data: for the institution that owns it (the office
    for registry data; the agency sees the entries about its own records going out)."""
    sides = sides_of(user, contract)
    if not sides & {OFFICE, AGENCY, SYSTEM}:
        raise NotFound
    if not contract.participants.filter(ref=participant_ref).exists():
        raise NotFound
    logs = AccessLog.objects.filter(participant_ref=participant_ref).order_by("id")
    if OFFICE in sides or SYSTEM in sides:
        return logs
    own = DataSharingRequest.objects.filter(contract=contract, approver=contract.agency)
    return logs.filter(request_uuid__in=[str(u) for u in own.values_list("uuid", flat=True)])


def record_export(
    user: Actor,
    contract: Contract,
    *,
    participant_refs: Iterable[str],
    fields: Iterable[str],
    purpose: str,
) -> None:
    """Log that the user exported (a report, a CSV) data of these participants: one access-log
    entry per participant. Call it with what actually went into the file."""
    side = OFFICE if OFFICE in sides_of(user, contract) else AGENCY
    accesslog.append(
        [
            accesslog.Entry(action=AccessLog.Action.EXPORT, participant_ref=ref, fields=list(fields), purpose=purpose)
            for ref in participant_refs
        ],
        actor=user,
        institution=institution_for(side, contract),
    )


@dataclass(frozen=True)
class TimelineItem:
    """One line of a participant's timeline as the caller may see it."""

    at: str  # ISO 8601
    kind: str  # "status" or an event type
    source: str  # "own", "shared" or "contract"
    text: str
    details: dict[str, Any]


def participant_timeline(user: Actor, contract: Contract, participant_ref: str) -> list[TimelineItem]:
    """The participant's timeline for the caller: status changes (contract data both sides hold),
    the events the caller's institution recorded itself and, for the office, the agency's events
    as far as an active request lets it read them (that read is logged; without one, none)."""
    participant = access_participant(user, contract, participant_ref)
    items = [
        TimelineItem(t.at.isoformat(), "status", "contract", f"{t.from_status} → {t.to_status}", {"side": t.side})
        for t in participant.transitions.all()
    ]
    items += [
        TimelineItem(e.occurred_at.isoformat(), e.type, "own", e.get_type_display(), dict(e.details))
        for e in own_events(user, participant)
    ]
    sides = sides_of(user, contract)
    if OFFICE in sides and AGENCY not in sides:
        shared = DataSharingRequest.objects.filter(
            contract=contract,
            direction=Direction.AGENCY_TO_OFFICE,
            status__in=SHARING_READABLE,
            participants=participant,
        )
        if shared.exists():
            try:
                view = read_agency_records(user, contract, participant_ref)
            except AccessRefused:
                view = None
            own_ids = {str(e.uuid) for e in own_events(user, participant)}
            for event in view.fields.get("events", []) if view else []:
                if event.get("id") in own_ids:
                    continue
                items.append(
                    TimelineItem(
                        str(event.get("occurred_at", "")),
                        str(event.get("type", "")),
                        "shared",
                        str(ActivationEvent.Type(event["type"]).label)
                        if event.get("type") in ActivationEvent.Type.values
                        else "",
                        dict(event.get("details") or {}),
                    )
                )
    return sorted(items, key=lambda item: item.at)

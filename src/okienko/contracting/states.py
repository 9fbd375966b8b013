"""Kontraktor's state machines as explicit tables (CONTRACTING.md, ADR 0061).

Each machine is a set of statuses and a table ``(from, to) -> who may do it``; nothing outside the
table is allowed. Who is a *side* of the contract, not a role: the labour office (PUP, or the WUP of
a three-party contract), the employment agency, or the system (scheduled jobs, the synchronisation
of shared data). For data-sharing requests the sides are the requester and the approver (the data
owner), since either institution may ask the other.

``Machine.check`` is the one gate; actions call it and write the history row and the audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.core.errors import TransitionNotAllowed


class Side(models.TextChoices):
    OFFICE = "office", _("labour office")
    AGENCY = "agency", _("employment agency")
    REQUESTER = "requester", _("requesting institution")
    APPROVER = "approver", _("data owner (approving institution)")
    SYSTEM = "system", _("system")


OFFICE, AGENCY, SYSTEM = Side.OFFICE.value, Side.AGENCY.value, Side.SYSTEM.value
REQUESTER, APPROVER = Side.REQUESTER.value, Side.APPROVER.value


@dataclass(frozen=True)
class Machine:
    """A named state machine: statuses and the allowed transitions with the sides that may make them."""

    name: str
    statuses: tuple[str, ...]
    transitions: dict[tuple[str, str], frozenset[str]]
    final: frozenset[str]

    def allowed(self, from_status: str, to_status: str, side: str) -> bool:
        return side in self.transitions.get((from_status, to_status), frozenset())

    def targets(self, from_status: str, side: str | None = None) -> list[str]:
        """The statuses reachable from ``from_status`` (by ``side``, or by anyone)."""
        return [
            to
            for (frm, to), sides in self.transitions.items()
            if frm == from_status and (side is None or side in sides)
        ]

    def check(self, from_status: str, to_status: str, side: str) -> None:
        """Refuse (``TransitionNotAllowed``) a change not in the table, or not for ``side``."""
        sides = self.transitions.get((from_status, to_status))
        if sides is None:
            raise TransitionNotAllowed(
                from_status,
                to_status,
                f"{self.name}: no such transition",
                message=_("This change of status is not allowed."),
            )
        if side not in sides:
            raise TransitionNotAllowed(
                from_status,
                to_status,
                f"{self.name}: not allowed for {side}",
                message=_("Your institution may not make this change of status."),
            )


def _table(rows: Iterable[tuple[str, str, Iterable[str]]]) -> dict[tuple[str, str], frozenset[str]]:
    table: dict[tuple[str, str], frozenset[str]] = {}
    for frm, to, sides in rows:
        assert (frm, to) not in table, (frm, to)
        table[(frm, to)] = frozenset(sides)
    return table


# --- Contract -------------------------------------------------------------------------------------


class ContractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract status", "draft")
    SIGNED = "signed", pgettext_lazy("contract status", "signed")
    ACTIVE = "active", pgettext_lazy("contract status", "active")
    SUSPENDED = "suspended", pgettext_lazy("contract status", "suspended")
    ENDED = "ended", pgettext_lazy("contract status", "ended")
    SETTLING = "settling", pgettext_lazy("contract status", "settling")
    CLOSING_DATA = "closing_data", pgettext_lazy("contract status", "closing data")
    CLOSED = "closed", pgettext_lazy("contract status", "closed")
    CANCELLED = "cancelled", pgettext_lazy("contract status", "cancelled")


CS = ContractStatus
CONTRACT = Machine(
    "contract",
    tuple(CS.values),
    _table(
        [
            (CS.DRAFT, CS.SIGNED, {OFFICE}),
            (CS.DRAFT, CS.CANCELLED, {OFFICE}),
            (CS.SIGNED, CS.CANCELLED, {OFFICE}),
            (CS.SIGNED, CS.ACTIVE, {OFFICE, SYSTEM}),  # the start date came
            (CS.ACTIVE, CS.SUSPENDED, {OFFICE}),
            (CS.SUSPENDED, CS.ACTIVE, {OFFICE}),
            (CS.ACTIVE, CS.ENDED, {OFFICE, SYSTEM}),  # the end date came, or terminated
            (CS.SUSPENDED, CS.ENDED, {OFFICE, SYSTEM}),
            (CS.ENDED, CS.SETTLING, {OFFICE, SYSTEM}),
            (CS.SETTLING, CS.CLOSING_DATA, {OFFICE, SYSTEM}),  # the last retention window passed
            (CS.CLOSING_DATA, CS.CLOSED, {OFFICE, SYSTEM}),  # guarded: both sides' certificates
        ]
    ),
    frozenset({CS.CLOSED, CS.CANCELLED}),
)
# While these last, the agency works with participants and data may flow on approved requests.
CONTRACT_RUNNING = frozenset({CS.ACTIVE, CS.SUSPENDED})
# New nominations, referrals and sharing requests: only before the end.
CONTRACT_OPEN_FOR_REQUESTS = frozenset({CS.DRAFT, CS.SIGNED, CS.ACTIVE, CS.SUSPENDED})
CONTRACT_DATA_FLOWS = frozenset({CS.SIGNED, CS.ACTIVE, CS.SUSPENDED})


# --- Participant ----------------------------------------------------------------------------------


class ParticipantStatus(models.TextChoices):
    NOMINATED = "nominated", pgettext_lazy("participant status", "nominated")
    SHARED = "shared", pgettext_lazy("participant status", "data shared")
    REFERRED = "referred", pgettext_lazy("participant status", "referred")
    ADMITTED = "admitted", pgettext_lazy("participant status", "admitted")
    PLAN_AGREED = "plan_agreed", pgettext_lazy("participant status", "plan agreed")
    IN_ACTIVATION = "in_activation", pgettext_lazy("participant status", "in activation")
    PLACED = "placed", pgettext_lazy("participant status", "placed in work")
    RETAINED_14 = "retained_14", pgettext_lazy("participant status", "employed 14 days")
    RETAINED_90 = "retained_90", pgettext_lazy("participant status", "employed 90 days")
    RETAINED_180 = "retained_180", pgettext_lazy("participant status", "employed 180 days")
    COMPLETED = "completed", pgettext_lazy("participant status", "completed")
    NOT_REPORTED = "not_reported", pgettext_lazy("participant status", "did not report")
    DEREGISTERED = "deregistered", pgettext_lazy("participant status", "deregistered")
    DROPPED_OUT = "dropped_out", pgettext_lazy("participant status", "dropped out")
    TRANSFERRED = "transferred", pgettext_lazy("participant status", "transferred")


class ExitReason(models.TextChoices):
    NONE = "", _("—")
    NOT_REPORTED = "not_reported", _("did not report to the agency")
    DEREGISTERED = "deregistered", _("deregistered from the register of unemployed")
    DROPPED_OUT = "dropped_out", _("dropped out")
    PLACEMENT_ENDED_EARLY = "placement_ended_early", _("employment ended early")
    TRANSFERRED = "transferred", _("transferred to another contract")
    COMPLETED = "completed", _("completed")


PS = ParticipantStatus
_BEFORE_REFERRAL = (PS.NOMINATED, PS.SHARED)
_IN_PROGRAMME = (PS.REFERRED, PS.ADMITTED, PS.PLAN_AGREED, PS.IN_ACTIVATION)
_EMPLOYED = (PS.PLACED, PS.RETAINED_14, PS.RETAINED_90)
PARTICIPANT = Machine(
    "participant",
    tuple(PS.values),
    _table(
        [
            (PS.NOMINATED, PS.SHARED, {OFFICE, SYSTEM}),  # a sharing request became active
            (PS.SHARED, PS.REFERRED, {OFFICE}),
            (PS.REFERRED, PS.ADMITTED, {AGENCY}),
            (PS.REFERRED, PS.NOT_REPORTED, {AGENCY, OFFICE}),
            (PS.ADMITTED, PS.PLAN_AGREED, {AGENCY}),
            (PS.PLAN_AGREED, PS.IN_ACTIVATION, {AGENCY}),
            (PS.IN_ACTIVATION, PS.PLACED, {AGENCY}),
            (PS.PLACED, PS.RETAINED_14, {AGENCY, SYSTEM}),
            (PS.RETAINED_14, PS.RETAINED_90, {AGENCY, SYSTEM}),
            (PS.RETAINED_90, PS.RETAINED_180, {AGENCY, SYSTEM}),
            (PS.RETAINED_90, PS.COMPLETED, {AGENCY, OFFICE, SYSTEM}),
            (PS.RETAINED_180, PS.COMPLETED, {AGENCY, OFFICE, SYSTEM}),
            # The job ended before the last checkpoint: back to activation while the contract runs
            # (guarded in the action; after the end it is a drop-out).
            *((status, PS.IN_ACTIVATION, {AGENCY}) for status in _EMPLOYED),
            *((status, PS.DROPPED_OUT, {AGENCY, OFFICE}) for status in (*_IN_PROGRAMME[1:], *_EMPLOYED)),
            *((status, PS.DEREGISTERED, {OFFICE, SYSTEM}) for status in (*_BEFORE_REFERRAL, *_IN_PROGRAMME)),
            *((status, PS.TRANSFERRED, {OFFICE}) for status in (*_BEFORE_REFERRAL, *_IN_PROGRAMME)),
        ]
    ),
    frozenset({PS.COMPLETED, PS.NOT_REPORTED, PS.DEREGISTERED, PS.DROPPED_OUT, PS.TRANSFERRED}),
)
PARTICIPANT_EXITS = frozenset({PS.NOT_REPORTED, PS.DEREGISTERED, PS.DROPPED_OUT, PS.TRANSFERRED})
# Statuses counted for the indicators: reached at least this far.
PARTICIPANT_ORDER: dict[str, int] = {
    status: index
    for index, status in enumerate(
        [
            PS.NOMINATED,
            PS.SHARED,
            PS.REFERRED,
            PS.ADMITTED,
            PS.PLAN_AGREED,
            PS.IN_ACTIVATION,
            PS.PLACED,
            PS.RETAINED_14,
            PS.RETAINED_90,
            PS.RETAINED_180,
            PS.COMPLETED,
        ]
    )
}


# --- Data-sharing request -------------------------------------------------------------------------


class SharingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("sharing request status", "draft")
    SUBMITTED = "submitted", pgettext_lazy("sharing request status", "submitted")
    APPROVED = "approved", pgettext_lazy("sharing request status", "approved")
    PARTIALLY_APPROVED = "partially_approved", pgettext_lazy("sharing request status", "partially approved")
    REJECTED = "rejected", pgettext_lazy("sharing request status", "rejected")
    ACTIVE = "active", pgettext_lazy("sharing request status", "active")
    EXPIRED = "expired", pgettext_lazy("sharing request status", "expired")
    REVOKED = "revoked", pgettext_lazy("sharing request status", "revoked")
    CONTRACT_ENDED = "contract_ended", pgettext_lazy("sharing request status", "lapsed: contract ended")
    WITHDRAWN = "withdrawn", pgettext_lazy("sharing request status", "withdrawn")


SS = SharingStatus
_DECIDED = (SS.APPROVED, SS.PARTIALLY_APPROVED)
SHARING = Machine(
    "sharing request",
    tuple(SS.values),
    _table(
        [
            (SS.DRAFT, SS.SUBMITTED, {REQUESTER}),
            (SS.SUBMITTED, SS.APPROVED, {APPROVER}),
            (SS.SUBMITTED, SS.PARTIALLY_APPROVED, {APPROVER}),
            (SS.SUBMITTED, SS.REJECTED, {APPROVER}),
            (SS.SUBMITTED, SS.WITHDRAWN, {REQUESTER}),
            *((status, SS.ACTIVE, {SYSTEM}) for status in _DECIDED),  # the first synchronisation
            *((status, SS.REVOKED, {APPROVER}) for status in (*_DECIDED, SS.ACTIVE)),
            *((status, SS.EXPIRED, {SYSTEM}) for status in (*_DECIDED, SS.ACTIVE)),
            # A contract that ends takes every open request with it, pending ones too.
            *((status, SS.CONTRACT_ENDED, {SYSTEM}) for status in (SS.DRAFT, SS.SUBMITTED, *_DECIDED, SS.ACTIVE)),
        ]
    ),
    frozenset({SS.REJECTED, SS.EXPIRED, SS.REVOKED, SS.CONTRACT_ENDED, SS.WITHDRAWN}),
)
SHARING_PENDING = frozenset({SS.DRAFT, SS.SUBMITTED})
SHARING_FLOWING = frozenset({SS.APPROVED, SS.PARTIALLY_APPROVED, SS.ACTIVE})
# Data is read only through packages of active requests (approval sends the first ones).
SHARING_READABLE = frozenset({SS.ACTIVE})


# --- Tranche line ---------------------------------------------------------------------------------


class TrancheStatus(models.TextChoices):
    NOT_DUE = "not_due", pgettext_lazy("tranche status", "not due")
    ELIGIBLE = "eligible", pgettext_lazy("tranche status", "eligible")
    CLAIMED = "claimed", pgettext_lazy("tranche status", "claimed")
    VERIFYING = "verifying", pgettext_lazy("tranche status", "being verified")
    APPROVED = "approved", pgettext_lazy("tranche status", "approved")
    INVOICED = "invoiced", pgettext_lazy("tranche status", "invoiced")
    PAID = "paid", pgettext_lazy("tranche status", "paid")
    REJECTED = "rejected", pgettext_lazy("tranche status", "rejected")
    DISPUTED = "disputed", pgettext_lazy("tranche status", "disputed")
    FORFEITED = "forfeited", pgettext_lazy("tranche status", "forfeited")


TS = TrancheStatus
TRANCHE = Machine(
    "tranche line",
    tuple(TS.values),
    _table(
        [
            (TS.NOT_DUE, TS.ELIGIBLE, {SYSTEM}),  # computed from events and retention checks
            (TS.NOT_DUE, TS.FORFEITED, {SYSTEM, OFFICE}),  # the participant left, or the window closed
            (TS.ELIGIBLE, TS.CLAIMED, {AGENCY}),
            (TS.CLAIMED, TS.VERIFYING, {OFFICE}),
            (TS.VERIFYING, TS.APPROVED, {OFFICE}),
            (TS.VERIFYING, TS.REJECTED, {OFFICE}),
            (TS.APPROVED, TS.INVOICED, {AGENCY, SYSTEM}),
            (TS.INVOICED, TS.PAID, {OFFICE, SYSTEM}),
            (TS.REJECTED, TS.DISPUTED, {AGENCY}),
            (TS.DISPUTED, TS.APPROVED, {OFFICE}),
            (TS.DISPUTED, TS.REJECTED, {OFFICE}),
        ]
    ),
    frozenset({TS.PAID, TS.FORFEITED}),
)


# --- Settlement -----------------------------------------------------------------------------------


class SettlementStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("settlement status", "open")
    SUBMITTED = "submitted", pgettext_lazy("settlement status", "submitted")
    ACCEPTED = "accepted", pgettext_lazy("settlement status", "accepted")
    PAID = "paid", pgettext_lazy("settlement status", "paid")


ST = SettlementStatus
SETTLEMENT = Machine(
    "settlement",
    tuple(ST.values),
    _table(
        [
            (ST.OPEN, ST.SUBMITTED, {AGENCY}),
            (ST.SUBMITTED, ST.OPEN, {OFFICE}),  # returned for corrections
            (ST.SUBMITTED, ST.ACCEPTED, {OFFICE}),
            (ST.ACCEPTED, ST.PAID, {OFFICE, SYSTEM}),
        ]
    ),
    # A paid settlement is corrected by a new correction settlement that points at it.
    frozenset({ST.PAID}),
)

MACHINES: dict[str, Machine] = {m.name: m for m in (CONTRACT, PARTICIPANT, SHARING, TRANCHE, SETTLEMENT)}

"""Money: tranche lines per participant × tranche, their computation, claims and settlements.

A line becomes eligible only once its trigger happened and its minimum days passed; for a
placement with minimum days, only once an employment check at (at least) that many days confirmed
the job. Everything is ``Decimal`` in the contract's currency (PLN).

Service API:

- ``eligibility(definition, facts, on)`` → ``Eligibility`` (the rule, pure)
- ``refresh_tranche_lines(contract, on=None, actor=SCHEDULER)`` → ``RefreshResult`` (bulk)
- ``claim_tranche(actor, line, on=None)`` — the agency claims; refused (audited) without the
  evidence required or before the line is eligible, with the reason
- ``verify_claim(actor, line)`` / ``approve_claim(actor, line, note="")`` /
  ``reject_claim(actor, line, note)`` — the office; ``dispute_claim(actor, line, note)`` — the agency
- ``open_settlement(actor, contract, period_start, period_end, corrects=None)`` → Settlement with
  the approved, unsettled lines of the period
- ``submit_settlement(actor, settlement, invoice_reference)`` / ``return_settlement(actor, settlement, note)``
  / ``accept_settlement(actor, settlement)`` / ``pay_settlement(actor, settlement)``
- ``contract_totals(contract)`` → amounts per line status
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.contracting.access import require_side, sides_of
from okienko.contracting.history import move
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    EventEvidence,
    Participant,
    Placement,
    RetentionCheck,
    Settlement,
    SettlementTransition,
    TrancheDefinition,
    TrancheLine,
    TrancheTransition,
    TriggerEvent,
)
from okienko.contracting.states import (
    AGENCY,
    OFFICE,
    PARTICIPANT_EXITS,
    SETTLEMENT,
    SYSTEM,
    TRANCHE,
    ContractStatus,
    ParticipantStatus,
    SettlementStatus,
    TrancheStatus,
)
from okienko.core import audit, clock
from okienko.core.actors import SCHEDULER, Actor, name_of
from okienko.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from okienko.core.models import AuditRecord

TS, ST, PS = TrancheStatus, SettlementStatus, ParticipantStatus
ZERO = Decimal("0.00")


# --- The eligibility rule -------------------------------------------------------------------------


@dataclass
class Facts:
    """What happened to one participant, as far as tranches care."""

    first_event: dict[str, dt.date] = field(default_factory=dict)  # event type -> first (local) date
    first_placement: dt.date | None = None
    confirmed_days: int = 0  # the longest employment confirmed by a check


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    trigger_date: dt.date | None
    eligible_on: dt.date | None
    reason: str  # stable code when not eligible: trigger_missing, minimum_days, not_confirmed
    message: str


def eligibility(definition: TrancheDefinition, facts: Facts, on: dt.date) -> Eligibility:
    """Whether ``definition`` is due for a participant with ``facts`` on ``on``."""
    if definition.trigger == TriggerEvent.PLACEMENT:
        trigger = facts.first_placement
    else:
        trigger = facts.first_event.get(definition.trigger)
    if trigger is None:
        return Eligibility(
            False, None, None, "trigger_missing", _("The event that triggers this tranche has not happened.")
        )
    due = trigger + dt.timedelta(days=definition.minimum_days)
    if on < due:
        return Eligibility(
            False,
            trigger,
            due,
            "minimum_days",
            _("The minimum of %(days)d days has not passed: the tranche is due from %(date)s.")
            % {"days": definition.minimum_days, "date": due.isoformat()},
        )
    if (
        definition.trigger == TriggerEvent.PLACEMENT
        and definition.minimum_days
        and facts.confirmed_days < definition.minimum_days
    ):
        return Eligibility(
            False,
            trigger,
            due,
            "not_confirmed",
            _("No employment check has confirmed the job after %(days)d days.") % {"days": definition.minimum_days},
        )
    return Eligibility(True, trigger, due, "", "")


def _local(value: dt.datetime) -> dt.date:
    return value.astimezone(clock.WARSAW).date()


def collect_facts(participant_ids: Iterable[int]) -> dict[int, Facts]:
    """Facts of many participants in three aggregate queries."""
    ids = list(participant_ids)
    facts: dict[int, Facts] = defaultdict(Facts)
    if not ids:
        return facts
    # Chunks keep the IN lists within SQLite's variable limit.
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        events = (
            ActivationEvent.objects.filter(participant_id__in=chunk)
            .values("participant_id", "type")
            .annotate(first=Min("occurred_at"))
        )
        for row in events:
            facts[row["participant_id"]].first_event[row["type"]] = _local(row["first"])
        placements = (
            Placement.objects.filter(participant_id__in=chunk)
            .values("participant_id")
            .annotate(first=Min("start_date"))
        )
        for row in placements:
            facts[row["participant_id"]].first_placement = row["first"]
        checks = (
            RetentionCheck.objects.filter(placement__participant_id__in=chunk, employed=True, done_at__isnull=False)
            .values("placement__participant_id")
            .annotate(days=Max("days"))
        )
        for row in checks:
            facts[row["placement__participant_id"]].confirmed_days = row["days"]
    return facts


# --- Computing the lines (bulk) -------------------------------------------------------------------


@dataclass
class RefreshResult:
    created: int = 0
    eligible: int = 0
    forfeited: int = 0


# Participants who get lines: everyone the office referred (also those who left afterwards).
_NO_LINES = frozenset({PS.NOMINATED, PS.SHARED})
AUDIT_CHUNK = 1000


def refresh_tranche_lines(*, contract: Contract, on: dt.date | None = None, actor: Actor = SCHEDULER) -> RefreshResult:
    """Create the missing lines of every referred participant and move ``not due`` lines to
    ``eligible`` (rule: ``eligibility``) or ``forfeited`` (the participant left, or the contract's
    data is being closed). Idempotent. A new line is written with its computed status at once (its
    history still says ``not due`` → status); a few aggregate queries per 5,000 participants, then
    bulk inserts and one UPDATE per group of lines sharing their new values."""
    today = on or clock.local_now().date()
    result = RefreshResult()
    definitions = list(contract.tranche_scheme.tranches.order_by("order"))
    if not definitions:
        return result
    participants = dict(contract.participants.exclude(status__in=_NO_LINES).values_list("id", "status"))
    now = clock.now()
    closing = contract.status in {ContractStatus.CLOSING_DATA, ContractStatus.CLOSED, ContractStatus.CANCELLED}
    leavers = PARTICIPANT_EXITS | {PS.COMPLETED}
    by_id = {d.pk: d for d in definitions}
    user, actor_name = user_of(actor), name_of(actor)[:200]
    with audit.batch():
        existing = set(
            TrancheLine.objects.filter(participant__contract=contract).values_list("participant_id", "definition_id")
        )
        pending = list(
            TrancheLine.objects.filter(participant__contract=contract, status=TS.NOT_DUE).only(
                "id", "participant_id", "definition_id", "status", "trigger_date", "eligible_on"
            )
        )
        amounts = {d.pk: d.amount_for(contract.price_per_participant) for d in definitions}
        missing = [
            TrancheLine(
                participant_id=pid,
                definition_id=d.pk,
                amount=amounts[d.pk],
                currency=contract.currency,
                updated_at=now,
            )
            for pid in participants
            for d in definitions
            if (pid, d.pk) not in existing
        ]
        facts = collect_facts({line.participant_id for line in pending} | {line.participant_id for line in missing})

        def decide(line: TrancheLine) -> tuple[str, bool]:
            """Set the line's dates; return its new status ('' if none) and whether the dates moved."""
            rule = eligibility(by_id[line.definition_id], facts[line.participant_id], today)
            target = ""
            if rule.eligible and not closing:
                target = TS.ELIGIBLE
            elif closing or participants.get(line.participant_id) in leavers:
                target = TS.FORFEITED
            moved = (line.trigger_date, line.eligible_on) != (rule.trigger_date, rule.eligible_on)
            line.trigger_date, line.eligible_on = rule.trigger_date, rule.eligible_on
            return target, moved

        moves: list[tuple[TrancheLine, str]] = []
        for line in missing:
            target, _moved = decide(line)
            if target:
                line.status = target
                moves.append((line, target))
        TrancheLine.objects.bulk_create(missing, batch_size=2000)
        result.created = len(missing)
        changed: list[TrancheLine] = []
        for line in pending:
            target, moved = decide(line)
            if target:
                line.status = target
                moves.append((line, target))
            if target or moved:
                line.updated_at = now
                changed.append(line)
        _write_lines(changed, now)
        history = []
        for line, target in moves:
            TRANCHE.check(TS.NOT_DUE, target, SYSTEM)
            history.append(
                TrancheTransition(
                    line_id=line.pk,
                    from_status=TS.NOT_DUE,
                    to_status=target,
                    at=now,
                    actor=user,
                    actor_repr=actor_name,
                    side=SYSTEM,
                )
            )
            if target == TS.ELIGIBLE:
                result.eligible += 1
            else:
                result.forfeited += 1
        TrancheTransition.objects.bulk_create(history, batch_size=2000)
        # The history rows name every line; the audit log gets one entry per 1,000 of them (a
        # contract of 10,000 participants moves tens of thousands of lines in one refresh).
        for start in range(0, len(moves), AUDIT_CHUNK):
            chunk = moves[start : start + AUDIT_CHUNK]
            audit.record(
                "contracting.trancheline.status",
                actor=actor,
                obj=contract,
                organisation_id=contract.office_id,
                changes={
                    "status": {
                        f"{TS.NOT_DUE}->{target}": [line.pk for line, t in chunk if t == target]
                        for target in sorted({t for _line, t in chunk})
                    }
                },
                data={"side": SYSTEM, "lines": len(chunk)},
            )
    return result


def _write_lines(changed: list[TrancheLine], now: dt.datetime) -> None:
    """One UPDATE per distinct (status, trigger date, due date) and chunk of ids: a contract's lines
    share few dates, and Django's ``bulk_update`` (one CASE per row) is quadratic on large sets."""
    groups: dict[tuple[str, dt.date | None, dt.date | None], list[int]] = defaultdict(list)
    for line in changed:
        groups[(line.status, line.trigger_date, line.eligible_on)].append(line.pk)
    for (status, trigger_date, eligible_on), ids in groups.items():
        for start in range(0, len(ids), 5000):
            TrancheLine.objects.filter(pk__in=ids[start : start + 5000]).update(
                status=status, trigger_date=trigger_date, eligible_on=eligible_on, updated_at=now
            )


# --- Claims ---------------------------------------------------------------------------------------


def evidence_type(definition: TrancheDefinition) -> str:
    """The kind of event whose attachments prove the tranche: the employment check for a
    placement kept some days, else the trigger itself."""
    if definition.trigger == TriggerEvent.PLACEMENT and definition.minimum_days:
        return ActivationEvent.Type.RETENTION_CHECK
    return str(definition.trigger)


def has_evidence(line: TrancheLine) -> bool:
    return EventEvidence.objects.filter(
        event__participant_id=line.participant_id, event__type=evidence_type(line.definition)
    ).exists()


class ClaimRefused(Conflict):
    slug = "claim-refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, reason=reason)
        self.reason = reason


def _refuse_claim(actor: Actor, line: TrancheLine, reason: str, message: str) -> ClaimRefused:
    audit.record(
        "contracting.trancheline.claim_refused",
        actor=actor,
        obj=line,
        organisation_id=line.participant.contract.agency_id,
        data={"reason": reason, "participant": line.participant.ref, "tranche": line.definition.name},
        kind=AuditRecord.Kind.SECURITY,
    )
    return ClaimRefused(reason, message)


def _move_line(line: TrancheLine, to: str, actor: Actor, *, note: str = "", extra: Iterable[str] = ()) -> None:
    contract = line.participant.contract
    move(
        line,
        machine=TRANCHE,
        to=to,
        sides=sorted(sides_of(actor, contract)),
        actor=actor,
        history=TrancheTransition,
        link="line",
        note=note,
        organisation_id=contract.office_id,
        extra_fields=extra,
    )


def claim_tranche(*, actor: Actor, line: TrancheLine, on: dt.date | None = None) -> None:
    """The agency claims an eligible line. Refused, with the reason and an audit entry, before the
    line is eligible (trigger missing, minimum days not passed, job not confirmed) or without the
    evidence the tranche requires."""
    contract = line.participant.contract
    require_side(actor, contract, AGENCY)
    today = on or clock.local_now().date()
    if line.status == TS.NOT_DUE:
        facts = collect_facts([line.participant_id])[line.participant_id]
        rule = eligibility(line.definition, facts, today)
        if not rule.eligible:
            raise _refuse_claim(actor, line, rule.reason, rule.message)
        refresh_tranche_lines(contract=contract, on=today)
        line.refresh_from_db()
    if line.status != TS.ELIGIBLE:
        raise _refuse_claim(actor, line, "not_eligible", _("This tranche cannot be claimed in its current state."))
    if line.definition.evidence_required and not has_evidence(line):
        raise _refuse_claim(
            actor, line, "evidence_missing", _("This tranche requires evidence: attach it to the event first.")
        )
    with transaction.atomic():
        _move_line(line, TS.CLAIMED, actor)


def verify_claim(*, actor: Actor, line: TrancheLine) -> None:
    """The office starts verifying a claim."""
    with transaction.atomic():
        _move_line(line, TS.VERIFYING, actor)


def approve_claim(*, actor: Actor, line: TrancheLine, note: str = "") -> None:
    """The office approves a claim being verified (or a disputed one); evidence is checked again."""
    if line.definition.evidence_required and not has_evidence(line):
        raise Conflict(_("This tranche requires evidence and none is attached."), reason="evidence_missing")
    with transaction.atomic():
        _move_line(line, TS.APPROVED, actor, note=note)


def reject_claim(*, actor: Actor, line: TrancheLine, note: str) -> None:
    if not note.strip():
        raise InvalidInput(field="note", message=_("Say why the claim is rejected."))
    with transaction.atomic():
        line.note = note
        _move_line(line, TS.REJECTED, actor, note=note, extra=["note"])


def dispute_claim(*, actor: Actor, line: TrancheLine, note: str) -> None:
    if not note.strip():
        raise InvalidInput(field="note", message=_("Say why the rejection is disputed."))
    with transaction.atomic():
        _move_line(line, TS.DISPUTED, actor, note=note)


# --- Settlements ----------------------------------------------------------------------------------


def _move_settlement(
    settlement: Settlement, to: str, actor: Actor, *, note: str = "", extra: Iterable[str] = ()
) -> None:
    move(
        settlement,
        machine=SETTLEMENT,
        to=to,
        sides=sorted(sides_of(actor, settlement.contract)),
        actor=actor,
        history=SettlementTransition,
        link="settlement",
        note=note,
        organisation_id=settlement.contract.office_id,
        extra_fields=extra,
    )


def _total(settlement: Settlement) -> Decimal:
    value = settlement.lines.aggregate(total=Sum("amount"))["total"]
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else ZERO


def open_settlement(
    *,
    actor: Actor,
    contract: Contract,
    period_start: dt.date,
    period_end: dt.date,
    corrects: Settlement | None = None,
) -> Settlement:
    """The agency's settlement of a period with every approved line not yet settled whose tranche
    became due in the period. A correction (``corrects``: an accepted or paid settlement of the
    same contract and period) takes the lines approved since."""
    require_side(actor, contract, AGENCY)
    if period_end < period_start:
        raise InvalidInput(field="period_end", message=_("The period must end on or after its start."))
    kind = Settlement.Kind.REGULAR
    if corrects is not None:
        if corrects.contract_id != contract.pk or corrects.status not in {ST.ACCEPTED, ST.PAID}:
            raise InvalidInput(
                field="corrects", message=_("Only an accepted or paid settlement of this contract is corrected.")
            )
        kind = Settlement.Kind.CORRECTION
        period_start, period_end = corrects.period_start, corrects.period_end
    elif Settlement.objects.filter(
        contract=contract, kind=Settlement.Kind.REGULAR, period_start=period_start, period_end=period_end
    ).exists():
        raise Conflict(_("This period already has a settlement; correct it instead."), reason="period_taken")
    now = clock.now()
    with transaction.atomic():
        settlement = Settlement.objects.create(
            contract=contract,
            period_start=period_start,
            period_end=period_end,
            kind=kind,
            corrects=corrects,
            currency=contract.currency,
            created_at=now,
            updated_at=now,
        )
        TrancheLine.objects.filter(
            participant__contract=contract,
            status=TS.APPROVED,
            settlement__isnull=True,
            eligible_on__gte=period_start,
            eligible_on__lte=period_end,
        ).update(settlement=settlement, updated_at=now)
        settlement.total = _total(settlement)
        settlement.save(update_fields=["total"])
        audit.record(
            "contracting.settlement.opened",
            actor=actor,
            obj=settlement,
            organisation_id=contract.agency_id,
            data={"total": settlement.total, "currency": settlement.currency, "kind": kind},
        )
    return settlement


def _lines_to(settlement: Settlement, from_status: str, to: str, actor: Actor, side: str) -> None:
    """Move the settlement's lines along with it (history and audit per line)."""
    for line in settlement.lines.filter(status=from_status).select_related("participant__contract", "definition"):
        move(
            line,
            machine=TRANCHE,
            to=to,
            sides=[side],
            actor=actor,
            history=TrancheTransition,
            link="line",
            organisation_id=settlement.contract.office_id,
        )


def submit_settlement(*, actor: Actor, settlement: Settlement, invoice_reference: str) -> None:
    """The agency submits its settlement with the invoice: its lines become invoiced."""
    reference = invoice_reference.strip()
    if not reference:
        raise InvalidInput(field="invoice_reference", message=_("Give the invoice number."))
    if not settlement.lines.exists():
        raise Conflict(_("The settlement has no approved lines."), reason="no_lines")
    with transaction.atomic():
        settlement.invoice_reference = reference[:80]
        settlement.total = _total(settlement)
        _move_settlement(settlement, ST.SUBMITTED, actor, extra=["invoice_reference", "total"])
        _lines_to(settlement, TS.APPROVED, TS.INVOICED, actor, AGENCY)


def return_settlement(*, actor: Actor, settlement: Settlement, note: str) -> None:
    """The office returns a submitted settlement for corrections; its lines are released."""
    if not note.strip():
        raise InvalidInput(field="note", message=_("Say what to correct."))
    with transaction.atomic():
        settlement.note = note
        _move_settlement(settlement, ST.OPEN, actor, note=note, extra=["note"])
        # Invoiced lines cannot go back to approved in the tranche machine: they stay attached and
        # invoiced, and a corrected invoice replaces the reference on the next submission.


def accept_settlement(*, actor: Actor, settlement: Settlement) -> None:
    with transaction.atomic():
        _move_settlement(settlement, ST.ACCEPTED, actor)


def pay_settlement(*, actor: Actor, settlement: Settlement) -> None:
    """The office records the payment: the settlement and its lines are paid."""
    side = OFFICE if OFFICE in sides_of(actor, settlement.contract) else SYSTEM
    with transaction.atomic():
        _move_settlement(settlement, ST.PAID, actor)
        _lines_to(settlement, TS.INVOICED, TS.PAID, actor, side)


def contract_totals(contract: Contract) -> dict[str, Decimal]:
    """The amounts of the contract's lines per status (Decimal, the contract's currency)."""
    totals = dict.fromkeys(TS.values, ZERO)
    rows = TrancheLine.objects.filter(participant__contract=contract).values("status").annotate(total=Sum("amount"))
    for row in rows:
        totals[row["status"]] = Decimal(row["total"]).quantize(Decimal("0.01"))
    return totals


def claimable_lines(actor: Actor, contract: Contract) -> list[TrancheLine]:
    """Eligible lines the agency may claim."""
    require_side(actor, contract, AGENCY)
    return list(
        TrancheLine.objects.filter(participant__contract=contract, status=TS.ELIGIBLE).select_related(
            "participant", "definition"
        )
    )


__all__ = [
    "ClaimRefused",
    "Eligibility",
    "Facts",
    "Participant",
    "RefreshResult",
    "TransitionNotAllowed",
    "accept_settlement",
    "approve_claim",
    "claim_tranche",
    "claimable_lines",
    "collect_facts",
    "contract_totals",
    "dispute_claim",
    "eligibility",
    "open_settlement",
    "pay_settlement",
    "refresh_tranche_lines",
    "reject_claim",
    "return_settlement",
    "submit_settlement",
    "verify_claim",
]

"""Kontraktor's domain events as webhooks for both sides of a contract (issue 17, ADR 0061).

The domain emits ``contracting.event.recorded`` (an activation event, a placement's event too),
``contracting.trancheline.status`` (every move of a tranche line), ``contracting.settlement.status``
(every move of a settlement) and ``contracting.message.sent``. They become these webhook topics:

- ``contracting.event.recorded`` — an activation event was recorded;
- ``contracting.placement.recorded`` — a placement in work was recorded;
- ``contracting.claim.made`` — the agency claimed a tranche;
- ``contracting.claim.decided`` — the office approved or rejected a claim (a disputed one too);
- ``contracting.claim.disputed`` — the agency disputed a rejection (with its note);
- ``contracting.settlement.submitted`` / ``.returned`` / ``.accepted`` / ``.paid`` — a settlement
  moved (submitted with the invoice, returned for corrections with the note, accepted, paid);
- ``contracting.message.sent`` — a message in the contract's thread (who wrote to whom and about
  which participant reference, never the text: read it through the API).

A contract concerns two institutions (three with the WUP), so the subscriptions of each of them
(their organisation's subtree) receive the event, not only the office's. Payloads carry the
contract's UUID and number, the participant's pseudonymous ``ref`` and UUIDs — never personal data.
One delivery per subscription and webhook topic (the event id is derived from the outbox event's
id and the topic, so a re-run of the subscriber creates nothing twice).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from okienko.accounts.models import Organisation
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    ContractMessage,
    Settlement,
    SettlementTransition,
    TrancheLine,
    TrancheTransition,
)
from okienko.contracting.states import SettlementStatus, TrancheStatus
from okienko.core import clock
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks.delivery import kick
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

TOPICS = (
    "contracting.event.recorded",
    "contracting.placement.recorded",
    "contracting.claim.made",
    "contracting.claim.decided",
    "contracting.claim.disputed",
    "contracting.settlement.submitted",
    "contracting.settlement.returned",
    "contracting.settlement.accepted",
    "contracting.settlement.paid",
    "contracting.message.sent",
)
DECIDED: dict[str, str] = {TrancheStatus.APPROVED: "approved", TrancheStatus.REJECTED: "rejected"}
# A settlement's move (from, to) → its webhook topic; opening a settlement is not a move.
SETTLEMENT_TOPICS: dict[tuple[str, str], str] = {
    (SettlementStatus.OPEN, SettlementStatus.SUBMITTED): "contracting.settlement.submitted",
    (SettlementStatus.SUBMITTED, SettlementStatus.OPEN): "contracting.settlement.returned",
    (SettlementStatus.SUBMITTED, SettlementStatus.ACCEPTED): "contracting.settlement.accepted",
    (SettlementStatus.ACCEPTED, SettlementStatus.PAID): "contracting.settlement.paid",
}


def _contract(contract: Contract) -> dict[str, str]:
    return {"contract": str(contract.uuid), "contract_number": contract.number}


def translate(event: OutboxEvent) -> tuple[Contract | None, list[tuple[str, dict[str, Any]]]]:
    """The contract an outbox event is about and the webhook topics with their payloads."""
    if event.topic == "contracting.event.recorded":
        activation = (
            ActivationEvent.objects.select_related("participant__contract", "placement", "institution")
            .filter(pk=event.aggregate_id or 0)
            .first()
        )
        if activation is None:
            return None, []
        contract = activation.participant.contract
        base = {**_contract(contract), "participant": activation.participant.ref}
        out: list[tuple[str, dict[str, Any]]] = [
            (
                "contracting.event.recorded",
                {
                    **base,
                    "event": str(activation.uuid),
                    "type": activation.type,
                    "occurred_at": activation.occurred_at.isoformat(),
                    "institution": activation.institution.code,
                },
            )
        ]
        if activation.type == ActivationEvent.Type.PLACEMENT and activation.placement is not None:
            placement = activation.placement
            out.append(
                (
                    "contracting.placement.recorded",
                    {
                        **base,
                        "placement": str(placement.uuid),
                        "start_date": placement.start_date.isoformat(),
                        "occupation_code": placement.occupation_code,
                        "contract_type": placement.contract_type,
                    },
                )
            )
        return contract, out
    if event.topic == "contracting.trancheline.status":
        to = str(event.payload.get("to", ""))
        if to not in {TrancheStatus.CLAIMED, TrancheStatus.DISPUTED} and to not in DECIDED:
            return None, []
        line = (
            TrancheLine.objects.select_related("participant__contract", "definition")
            .filter(pk=event.aggregate_id or 0)
            .first()
        )
        if line is None:
            return None, []
        contract = line.participant.contract
        payload: dict[str, Any] = {
            **_contract(contract),
            "participant": line.participant.ref,
            "tranche": {"order": line.definition.order, "name": line.definition.name},
            "amount": {"amount": f"{line.amount:.2f}", "currency": line.currency},
        }
        if to == TrancheStatus.CLAIMED:
            return contract, [("contracting.claim.made", payload)]
        if to == TrancheStatus.DISPUTED:
            return contract, [
                (
                    "contracting.claim.disputed",
                    {**payload, "note": _last_note(TrancheTransition.objects.filter(line=line), to)},
                )
            ]
        return contract, [("contracting.claim.decided", {**payload, "decision": DECIDED[to], "note": line.note})]
    if event.topic == "contracting.settlement.status":
        return _settlement(event)
    if event.topic == "contracting.message.sent":
        return _message(event)
    return None, []


def _last_note(rows: Any, to: str) -> str:
    """The note of the latest move to ``to`` among an object's history rows (the dispute's reason,
    the return's)."""
    row = rows.filter(to_status=to).order_by("-at", "-pk").first()
    return str(row.note) if row is not None else ""


def _settlement(event: OutboxEvent) -> tuple[Contract | None, list[tuple[str, dict[str, Any]]]]:
    topic = SETTLEMENT_TOPICS.get((str(event.payload.get("from", "")), str(event.payload.get("to", ""))))
    found = Settlement.objects.select_related("contract").filter(pk=event.aggregate_id or 0).first()
    if topic is None or found is None:
        return None, []
    payload: dict[str, Any] = {
        **_contract(found.contract),
        "settlement": str(found.uuid),
        "kind": found.kind,
        "period_start": found.period_start.isoformat(),
        "period_end": found.period_end.isoformat(),
        "status": str(event.payload.get("to", "")),
        "total": {"amount": f"{found.total:.2f}", "currency": found.currency},
        "invoice_reference": found.invoice_reference,
    }
    if topic == "contracting.settlement.returned":
        payload["note"] = _last_note(SettlementTransition.objects.filter(settlement=found), SettlementStatus.OPEN)
    return found.contract, [(topic, payload)]


def _message(event: OutboxEvent) -> tuple[Contract | None, list[tuple[str, dict[str, Any]]]]:
    message = (
        ContractMessage.objects.select_related("contract", "sender", "recipient")
        .filter(pk=event.aggregate_id or 0)
        .first()
    )
    if message is None:
        return None, []
    payload = {
        **_contract(message.contract),
        "message": str(message.message_id),
        "participant": message.participant_ref,
        "sender": message.sender.code,
        "recipient": message.recipient.code,
        "sent_at": message.sent_at.isoformat(),
    }
    return message.contract, [("contracting.message.sent", payload)]


def parties(contract: Contract) -> list[Organisation]:
    """The institutions of a contract: the office, the agency and, in a three-party one, the WUP."""
    return [o for o in (contract.office, contract.agency, contract.region_office) if o is not None]


def subscriptions_for(contract: Contract, topic: str) -> list[WebhookSubscription]:
    """Active subscriptions of the contract's institutions (each one's subtree) wanting ``topic``."""
    institutions = parties(contract)
    candidates = WebhookSubscription.objects.filter(active=True).select_related("organisation")
    return [s for s in candidates if s.wants(topic) and any(p.is_within(s.organisation) for p in institutions)]


def fan_out_contracting(event: OutboxEvent) -> int:
    """Create the webhook deliveries of a Kontraktor event; return how many are new."""
    contract, items = translate(event)
    if contract is None:
        return 0
    contract = Contract.objects.select_related("office", "agency", "region_office").get(pk=contract.pk)
    now = clock.now()
    created = 0
    for topic, data in items:
        event_id = uuid.uuid5(event.id, topic)
        for subscription in subscriptions_for(contract, topic):
            delivery, new = WebhookDelivery.objects.get_or_create(
                subscription=subscription,
                event_id=event_id,
                replay_of=None,
                defaults={"topic": topic, "payload": {}, "next_attempt_at": now, "created_at": now},
            )
            if new:
                delivery.payload = {
                    "id": str(event_id),
                    "topic": topic,
                    "created_at": event.created_at.isoformat(),
                    "delivery": str(delivery.uuid),
                    "data": data,
                }
                delivery.save(update_fields=["payload"])
                created += 1
    if created:
        transaction.on_commit(kick)
    return created

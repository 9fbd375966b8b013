"""Kontraktor's domain events as webhooks for both sides of a contract (issue 17, ADR 0061).

The domain emits ``contracting.event.recorded`` (an activation event, a placement's event too) and
``contracting.trancheline.status`` (every move of a tranche line). They become these webhook topics:

- ``contracting.event.recorded`` — an activation event was recorded;
- ``contracting.placement.recorded`` — a placement in work was recorded;
- ``contracting.claim.made`` — the agency claimed a tranche;
- ``contracting.claim.decided`` — the office approved or rejected a claim.

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
from okienko.contracting.models import ActivationEvent, Contract, TrancheLine
from okienko.contracting.states import TrancheStatus
from okienko.core import clock
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks.delivery import kick
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

TOPICS = (
    "contracting.event.recorded",
    "contracting.placement.recorded",
    "contracting.claim.made",
    "contracting.claim.decided",
)
DECIDED: dict[str, str] = {TrancheStatus.APPROVED: "approved", TrancheStatus.REJECTED: "rejected"}


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
        if to != TrancheStatus.CLAIMED and to not in DECIDED:
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
        return contract, [("contracting.claim.decided", {**payload, "decision": DECIDED[to], "note": line.note})]
    return None, []


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

"""Outbox subscribers: a published offer is matched against saved searches; an SMS "STOP"/"NIE"
turns SMS alerts off (both idempotent: an alert is stored once per search and offer)."""

from __future__ import annotations

from okienko.clients.models import Client
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.jobs.alerts import actions


@events.subscriber("jobs.offer_published", name="jobs_alerts.offer_published")
def on_offer_published(event: OutboxEvent) -> None:
    offer_id = event.payload.get("offer_id")
    if offer_id:
        actions.on_offer_published(int(offer_id))


@events.subscriber("sms.opted_out", name="jobs_alerts.sms_opted_out")
def on_sms_opted_out(event: OutboxEvent) -> None:
    client_id = event.payload.get("client_id")
    client = Client.objects.filter(pk=int(client_id)).first() if client_id else None
    if client is not None:
        actions.stop_sms(client)

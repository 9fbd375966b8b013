"""Outbox subscribers: a published training or event is announced to the matching job seekers
(idempotent: one announcement per client and item)."""

from __future__ import annotations

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.jobs.events import actions


@events.subscriber(actions.TOPIC_PUBLISHED, name="jobs_events.announce")
def on_published(event: OutboxEvent) -> None:
    kind, pk = str(event.payload.get("kind") or ""), event.payload.get("id")
    if kind in ("training", "event") and pk:
        actions.on_published(kind, int(pk))

"""Outbox subscribers of the core app."""

from __future__ import annotations

from okienko.core import clock, events
from okienko.core.models import OutboxEvent, WorkerHeartbeat


@events.subscriber("system.heartbeat", name="core.heartbeat")
def record_heartbeat(event: OutboxEvent) -> None:
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"delivered_at": clock.now()})

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from okienko.core import clock, events
from okienko.core.models import WorkerHeartbeat


@shared_task(name="okienko.core.process_outbox", ignore_result=True)
def process_outbox() -> int:
    """Deliver due outbox events (idempotent; also run periodically as a sweep)."""
    total = 0
    for _round in range(20):  # bounded: a flood is finished by the next sweep
        attempted = events.deliver_due()
        total += attempted
        if attempted == 0:
            break
    return total


@shared_task(name="okienko.core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Send a heartbeat event through the outbox; its delivery proves the whole pipeline works."""
    with transaction.atomic():
        now = clock.now()
        WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"sent_at": now})
        events.emit("system.heartbeat", payload={"sent_at": now.isoformat()})

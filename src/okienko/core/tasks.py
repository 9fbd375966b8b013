from __future__ import annotations

from celery import shared_task

from okienko.core import events


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

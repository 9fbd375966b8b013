from __future__ import annotations

from celery import shared_task

from okienko.integrations.webhooks import delivery


@shared_task(name="okienko.integrations.deliver_webhooks", ignore_result=True)
def deliver_webhooks() -> int:
    """POST due webhook deliveries (bounded; also run periodically as a sweep)."""
    total = 0
    for _round in range(10):
        attempted = delivery.deliver_due()
        total += attempted
        if attempted == 0:
            break
    return total


@shared_task(name="okienko.integrations.drain_open311_intake", ignore_result=True)
def drain_open311_intake() -> dict[str, int]:
    """Turn queued Open311 requests into cases (bounded; also run periodically as a sweep)."""
    from okienko.integrations.open311 import queue

    return queue.drain(seconds=50)

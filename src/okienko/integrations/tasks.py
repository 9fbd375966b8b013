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

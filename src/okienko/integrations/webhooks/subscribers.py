"""Domain events of the published families go past the webhook fan-out, through the outbox
(so a failed fan-out is retried like any other delivery)."""

from __future__ import annotations

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks.delivery import fan_out

PUBLISHED = ("case.*", "interaction.*", "client.*", "callback.*")


def publish_to_webhooks(event: OutboxEvent) -> None:
    fan_out(event)


for _pattern in PUBLISHED:
    events.subscriber(_pattern, name=f"integrations.webhooks.{_pattern.split('.')[0]}")(publish_to_webhooks)

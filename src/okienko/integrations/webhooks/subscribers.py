"""Domain events of the published families go past the webhook fan-out, through the outbox
(so a failed fan-out is retried like any other delivery). Kontraktor's events go to both sides of
the contract under their own topics (``webhooks.contracting``)."""

from __future__ import annotations

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks.contracting import fan_out_contracting
from okienko.integrations.webhooks.delivery import fan_out

PUBLISHED = ("case.*", "interaction.*", "client.*", "callback.*")


def publish_to_webhooks(event: OutboxEvent) -> None:
    fan_out(event)


for _pattern in PUBLISHED:
    events.subscriber(_pattern, name=f"integrations.webhooks.{_pattern.split('.')[0]}")(publish_to_webhooks)


# Kontraktor: the domain's events become contracting.event.recorded, .placement.recorded, .claim.*,
# .settlement.* and .message.sent (webhooks.contracting.TOPICS)
CONTRACTING = (
    "contracting.event.recorded",
    "contracting.trancheline.status",
    "contracting.settlement.status",
    "contracting.message.sent",
)


def publish_contracting(event: OutboxEvent) -> None:
    fan_out_contracting(event)


for _topic in CONTRACTING:
    events.subscriber(_topic, name=f"integrations.webhooks.{_topic}")(publish_contracting)

"""Fan-out of domain events into webhook deliveries, and the HTTP POST of due deliveries.

The outbox subscriber ``fan_out`` runs for every event; it writes one ``WebhookDelivery`` per
matching active subscription (idempotent per event). ``deliver_due`` POSTs them; a failure
(network error, timeout, non-2xx) is retried after 10 s, 20 s, 40 s … (capped at an hour) and
ends as ``dead`` after ``MAX_ATTEMPTS``; a dead or delivered delivery can be replayed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from okienko.accounts.models import Organisation
from okienko.core import clock, events
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks import signing, urlguard
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
LOCK = dt.timedelta(minutes=2)
BATCH = 50


def matching_subscriptions(event: OutboxEvent) -> list[WebhookSubscription]:
    candidates = WebhookSubscription.objects.filter(active=True).select_related("organisation")
    if event.organisation_id is None:
        return []  # system events are not published
    organisation = Organisation.objects.filter(pk=event.organisation_id).first()
    if organisation is None:
        return []
    return [s for s in candidates if s.wants(event.topic) and organisation.is_within(s.organisation)]


def body_of(event: OutboxEvent, delivery: WebhookDelivery) -> dict[str, object]:
    return {
        "id": str(event.id),
        "topic": event.topic,
        "created_at": event.created_at.isoformat(),
        "delivery": str(delivery.uuid),
        "data": event.payload,
    }


def fan_out(event: OutboxEvent) -> int:
    """Create the deliveries of ``event`` (once per subscription); return how many are new."""
    now = clock.now()
    created = 0
    for subscription in matching_subscriptions(event):
        delivery, new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event_id=event.id,
            replay_of=None,
            defaults={"topic": event.topic, "payload": {}, "next_attempt_at": now, "created_at": now},
        )
        if new:
            delivery.payload = body_of(event, delivery)
            delivery.save(update_fields=["payload"])
            created += 1
    if created:
        transaction.on_commit(kick)
    return created


def kick() -> None:
    from okienko.integrations.tasks import deliver_webhooks

    try:
        deliver_webhooks.delay()
    except Exception:  # noqa: BLE001 - the periodic sweep delivers later
        log.warning("webhooks: could not reach the task queue; the periodic sweep will deliver")


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return (
        WebhookDelivery.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
        ).update(locked_until=now + LOCK)
        == 1
    )


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the signed payload; return (HTTP status or None, error text or "").

    The connection re-checks the host's addresses (``urlguard``) and follows no redirect.
    """
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 - http(s) URLs only (urlguard)
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Okienko-Webhooks/1",
            "X-Okienko-Event": delivery.topic,
            "X-Okienko-Delivery": str(delivery.uuid),
            signing.HEADER: signing.signature(delivery.subscription.secret, timestamp, body),
        },
    )
    try:
        urlguard.split(delivery.subscription.url)
        with urlguard.opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status), ""
    except urlguard.UrlNotAllowed as exc:
        return None, f"refused: {exc}"[:500]
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]


def deliver_one(delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    status_code, error = post(delivery)
    now = clock.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.locked_until = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status_code}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.DEAD
        else:
            delivery.next_attempt_at = now + events.backoff(delivery.attempts)
    delivery.save()
    return delivery


def deliver_due(limit: int = BATCH) -> int:
    """POST the deliveries that are due; return how many were attempted."""
    now = clock.now()
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    attempted = 0
    for delivery_id in due:
        if _claim(delivery_id, now):
            deliver_one(delivery_id)
            attempted += 1
    return attempted

"""Fan-out of domain events into webhook deliveries, and the HTTP POST of due deliveries.

The outbox subscriber ``fan_out`` runs for every event; it writes one ``WebhookDelivery`` per
matching active subscription (idempotent per event). ``deliver_due`` POSTs them; a failure
(network error, timeout, non-2xx) is retried after 10 s, 20 s, 40 s … (capped at an hour) and
ends as ``dead`` after ``MAX_ATTEMPTS``; a dead or delivered delivery can be replayed. The deliveries are
a work queue (``WEBHOOKS``, ADR 0046), claimed in batches.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation
from okienko.core import clock, events, workqueue
from okienko.core.models import OutboxEvent
from okienko.integrations.webhooks import signing, urlguard
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
LOCK = dt.timedelta(minutes=5)  # a claimed batch of slow receivers still fits
BATCH = 50

WEBHOOKS: workqueue.WorkQueue[WebhookDelivery] = workqueue.register(
    workqueue.WorkQueue(
        name="webhooks",
        label=_("Webhook deliveries"),
        model=WebhookDelivery,
        pending=WebhookDelivery.Status.PENDING,
        done=WebhookDelivery.Status.SUCCEEDED,
        dead=WebhookDelivery.Status.DEAD,
        due_field="next_attempt_at",
        order_by=("next_attempt_at", "id"),
        lease=LOCK,
        max_attempts=lambda: MAX_ATTEMPTS,  # read when used (tests lower it)
        backoff=events.OUTBOX.backoff,
    )
)


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

    workqueue.wake(deliver_webhooks.delay, queue=WEBHOOKS.name)


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


def deliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """POST a claimed delivery and record the outcome."""
    status_code, error = post(delivery)
    now = clock.now()
    if status_code is not None and 200 <= status_code < 300:
        WEBHOOKS.complete(delivery, delivered_at=now, last_attempt_at=now, last_status_code=status_code)
    else:
        WEBHOOKS.fail(delivery, error or f"HTTP {status_code}", last_attempt_at=now, last_status_code=status_code)
    return delivery


def deliver_due(limit: int = BATCH) -> int:
    """POST the deliveries that are due; return how many were attempted."""
    return WEBHOOKS.work(limit=limit, handle=deliver, queryset=lambda rows: rows.select_related("subscription"))

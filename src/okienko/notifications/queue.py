"""Sending queued notifications: the shared work queue (ADR 0046) over ``Notification``.

A worker claims due notifications in batches, hands each channel's share to its transport over
one connection and records every outcome as soon as it is known: sent; queued again after the
back-off when the server is down or says "later" (shown as *deferred*); failed for good when the
address is refused or the attempts run out. An SMTP server that is down for an hour holds the
messages back; nothing is lost and nothing goes twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

from okienko.core import audit, clock, workqueue
from okienko.notifications import timeline, transports
from okienko.notifications.models import Notification

log = logging.getLogger(__name__)

BATCH = 200

NOTIFICATIONS: workqueue.WorkQueue[Notification] = workqueue.register(
    workqueue.WorkQueue(
        name="notifications",
        label=_("Notifications to clients"),
        model=Notification,
        pending=Notification.Status.QUEUED,
        done=Notification.Status.SENT,
        dead=Notification.Status.FAILED,
        due_field="available_at",
        order_by=("available_at", "id"),
        lease=dt.timedelta(minutes=5),
        # 10 s, 20 s … then hourly: about four and a half hours of trying before giving up.
        max_attempts=lambda: int(getattr(settings, "OKIENKO_NOTIFICATION_ATTEMPTS", 12)),
        backoff=workqueue.Backoff(
            base=dt.timedelta(seconds=float(getattr(settings, "OKIENKO_NOTIFICATION_BACKOFF_SECONDS", 10))),
            cap=dt.timedelta(hours=1),
        ),
        replay_values={"status_reason": ""},
    )
)


def kick() -> None:
    """Ask a worker to send now (after the transaction that queued something commits)."""
    from okienko.notifications.tasks import send_notifications

    workqueue.wake(send_notifications.delay, queue=NOTIFICATIONS.name)


def send_due(limit: int = BATCH) -> int:
    """Send up to ``limit`` due notifications; return how many were handled (whatever the outcome)."""
    claimed = NOTIFICATIONS.claim(
        limit=limit,
        queryset=lambda rows: rows.select_related("organisation__parent").prefetch_related("attachments"),
    )
    if not claimed:
        return 0
    by_channel: dict[str, list[Notification]] = defaultdict(list)
    for notification in claimed:
        by_channel[notification.channel].append(notification)
    handled = 0
    for channel, batch in by_channel.items():
        transport = transports.for_channel(channel)
        if transport is None:
            for notification in batch:
                NOTIFICATIONS.fail(notification, f"no transport for the channel {channel}")
            handled += len(batch)
            continue
        live = [n for n in batch if NOTIFICATIONS.holds(n)]
        sent: list[int] = []
        went: list[Notification] = []
        for notification, outcome in transport.send(live):
            if record(notification, outcome):
                sent.append(notification.pk)
                went.append(notification)
            handled += 1
        timeline.note(went)  # one statement for the round
        if sent:  # one audit entry per round names every message sent in it
            audit.record(
                "notification.sent",
                actor=None,
                data={"channel": channel, "count": len(sent), "notifications": sent},
            )
    return handled


def drain(*, rounds: int = 1000) -> int:
    """Send everything due now (bounded); the periodic task and the tests use it."""
    total = 0
    for _round in range(rounds):
        handled = send_due()
        total += handled
        if handled == 0:
            break
    return total


def _mark_sent(notification: Notification, now: dt.datetime, outcome: transports.Outcome) -> bool:
    """Record that the server took the message, right after it did (so a worker that dies later
    sends nothing twice). On PostgreSQL the commit does not wait for the disk: only a crash of the
    database server itself within a fraction of a second could make a message go again."""
    connection = transaction.get_connection(router.db_for_write(Notification))
    if connection.vendor != "postgresql":
        return NOTIFICATIONS.complete(notification, **_sent_values(now, outcome))
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return NOTIFICATIONS.complete(notification, **_sent_values(now, outcome))


def _sent_values(now: dt.datetime, outcome: transports.Outcome) -> dict[str, Any]:
    values: dict[str, Any] = {"sent_at": now, "status_reason": ""}
    if outcome.provider_id:
        values["provider_id"] = outcome.provider_id
    if outcome.segments:
        values["segments"] = outcome.segments
    return values


def record(notification: Notification, outcome: transports.Outcome) -> bool:
    """Record the outcome of one attempt; ``True`` when the message went."""
    now = clock.now()
    if outcome.kind == "sent":
        return _mark_sent(notification, now, outcome)
    if outcome.kind == "later" and outcome.until is not None:
        # Not an attempt: back in the queue until then, the reason shown.
        NOTIFICATIONS.finish(
            notification,
            status=Notification.Status.QUEUED,
            available_at=outcome.until,
            status_reason=outcome.detail[:300],
        )
        return False
    if outcome.kind == "failed":
        NOTIFICATIONS.fail(notification, outcome.detail, dead_values={"status_reason": outcome.detail[:300]})
        # A permanent refusal is not retried: the address is wrong or gone.
        Notification.objects.filter(pk=notification.pk, status=Notification.Status.QUEUED).update(
            status=Notification.Status.FAILED, status_reason=outcome.detail[:300]
        )
        notification.status, notification.status_reason = Notification.Status.FAILED, outcome.detail[:300]
    else:
        dead = NOTIFICATIONS.fail(notification, outcome.detail, dead_values={"status_reason": outcome.detail[:300]})
        if not dead:
            Notification.objects.filter(pk=notification.pk).update(status_reason=outcome.detail[:300])
            return False
    notification.status = Notification.Status.FAILED
    notification.status_reason = notification.status_reason or outcome.detail[:300]
    timeline.note([notification])
    audit.record(
        "notification.failed",
        actor=None,
        obj=notification,
        organisation_id=notification.organisation_id,
        data={"event": notification.event, "channel": notification.channel, "error": outcome.detail},
    )
    return False

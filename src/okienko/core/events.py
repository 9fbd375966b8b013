"""Domain events through a transactional outbox.

An action calls ``emit`` inside its transaction. One delivery row is written per subscriber;
after commit a Celery task delivers them. The deliveries are a work queue (``OUTBOX``, ADR 0046):
claimed in batches, retried with exponential backoff, a dead letter after
``OUTBOX_MAX_ATTEMPTS``; ``manage.py outbox --replay`` revives it.
Subscribers must be idempotent: a delivery may run again if a worker dies mid-way.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okienko.core import clock, context, workqueue
from okienko.core.audit import _plain
from okienko.core.models import OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]

# Events emitted inside ``batch()``, with their deliveries, written together at the block's end.
_pending: ContextVar[tuple[list[OutboxEvent], list[OutboxDelivery]] | None] = ContextVar(
    "okienko_outbox_batch", default=None
)


BatchHandler = Callable[[list[OutboxEvent]], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    pattern: str
    handler: Handler
    batch: BatchHandler | None = None  # takes a batch's events at once (see batch_subscriber)


_subscribers: dict[str, Subscriber] = {}


def subscriber(pattern: str, *, name: str | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler`` for topics matching ``pattern`` (shell-style, e.g. ``case.*``)."""

    def register(handler: Handler) -> Handler:
        key = name or f"{handler.__module__}.{handler.__qualname__}"
        _subscribers[key] = Subscriber(key, pattern, handler)
        return handler

    return register


def batch_subscriber(pattern: str, *, name: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register ``handler`` for topics matching ``pattern``, called with all of a claimed batch's
    events for it at once, in one transaction (one query for a hundred events instead of one each).
    It must be idempotent like any subscriber. If it raises, the batch's deliveries are tried again
    one by one, so only the failing events are retried and dead-lettered."""

    def register(handler: BatchHandler) -> BatchHandler:
        _subscribers[name] = Subscriber(name, pattern, lambda event: handler([event]), batch=handler)
        return handler

    return register


def subscribers_for(topic: str) -> list[Subscriber]:
    return [s for s in _subscribers.values() if fnmatch.fnmatchcase(topic, s.pattern)]


def autodiscover_subscribers() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("okienko."):
            try:
                importlib.import_module(f"{config.name}.subscribers")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.subscribers":
                    raise


def emit(
    topic: str,
    *,
    obj: models.Model | None = None,
    payload: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
) -> OutboxEvent:
    """Write a domain event (and its deliveries) in the current transaction; inside ``batch()``
    the rows are written when the block ends."""
    now = clock.now()
    event = OutboxEvent(
        created_at=now,
        topic=topic,
        aggregate_type=obj._meta.label_lower if obj is not None else "",
        aggregate_id=str(obj.pk) if obj is not None else "",
        organisation_id=organisation_id,
        payload=_plain(dict(payload or {})),
        request_id=context.current().request_id,
    )
    deliveries = [OutboxDelivery(event=event, subscriber=s.name, available_at=now) for s in subscribers_for(topic)]
    pending = _pending.get()
    if pending is not None:
        pending[0].append(event)
        pending[1].extend(deliveries)
    else:
        _write([event], deliveries)
    return event


def _write(events: list[OutboxEvent], deliveries: list[OutboxDelivery]) -> None:
    OutboxEvent.objects.bulk_create(events)
    OutboxDelivery.objects.bulk_create(deliveries)
    if deliveries:
        transaction.on_commit(_kick_worker)


@contextmanager
def batch() -> Iterator[None]:
    """Collect the events emitted inside the block and write them (two statements, whatever
    their number) when it ends without an error; the caller's transaction must enclose the block.
    A unit of work that opens many objects at once (the Open311 intake worker) saves two
    statements per event. Nested batches join the outermost one."""
    if _pending.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.batch() must run inside a transaction")
    pending: tuple[list[OutboxEvent], list[OutboxDelivery]] = ([], [])
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending[0]:
        _write(*pending)


def _kick_worker() -> None:
    from okienko.core.tasks import process_outbox

    if context.current().channel == "demo":
        # A demo load emits thousands of events: one task each would queue thousands of identical
        # tasks ahead of everything else when the worker starts. The periodic sweep delivers them.
        return
    workqueue.wake(process_outbox.delay, queue=OUTBOX.name)


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt: 10 s, 20 s, 40 s … capped at one hour."""
    return OUTBOX.backoff.delay(attempts)


OUTBOX: workqueue.WorkQueue[OutboxDelivery] = workqueue.register(
    workqueue.WorkQueue(
        name="outbox",
        label=_("Domain-event deliveries"),
        model=OutboxDelivery,
        pending=OutboxDelivery.Status.PENDING,
        done=OutboxDelivery.Status.DONE,
        dead=OutboxDelivery.Status.DEAD,
        due_field="available_at",
        order_by=("available_at", "id"),
        lease=dt.timedelta(minutes=5),
        max_attempts=lambda: int(settings.OUTBOX_MAX_ATTEMPTS),
        backoff=workqueue.Backoff(base=dt.timedelta(seconds=10), cap=dt.timedelta(hours=1)),
    )
)


_after: list[Callable[[], None]] = []


def after_deliveries(hook: Callable[[], None]) -> Callable[[], None]:
    """Run ``hook`` once after each batch of deliveries (e.g. to recompute, once, what the batch's
    subscribers only marked). It must be idempotent and leave what it could not do for the next
    batch or a periodic task; a failure is logged, never fails the batch."""
    if hook not in _after:
        _after.append(hook)
    return hook


def deliver_due(limit: int | None = None) -> int:
    """Deliver the deliveries that are due; return how many were attempted."""
    handled = 0
    batches: dict[str, list[OutboxDelivery]] = {}
    claimed = OUTBOX.claim(
        limit=limit or settings.OUTBOX_BATCH_SIZE, queryset=lambda rows: rows.select_related("event")
    )
    for delivery in claimed:
        if not OUTBOX.holds(delivery):
            continue
        sub = _subscribers.get(delivery.subscriber)
        if sub is not None and sub.batch is not None:
            batches.setdefault(sub.name, []).append(delivery)
            continue
        deliver(delivery)
        handled += 1
    for name, deliveries in batches.items():
        _deliver_batch(_subscribers[name], deliveries)
        handled += len(deliveries)
    if handled:
        for hook in _after:
            try:
                hook()
            except Exception:
                log.exception("after-deliveries hook %s failed", getattr(hook, "__qualname__", hook))
    return handled


def deliver(delivery: OutboxDelivery) -> None:
    """Run the subscriber of a claimed delivery and record the outcome."""
    sub = _subscribers.get(delivery.subscriber)
    try:
        if sub is None:
            raise LookupError(f"no subscriber named {delivery.subscriber!r} is registered")
        with transaction.atomic():
            sub.handler(delivery.event)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, then dead-lettered
        dead = OUTBOX.fail(delivery, f"{type(exc).__name__}: {exc}")
        log.warning(
            "outbox delivery failed", extra={"delivery": delivery.pk, "attempt": delivery.attempts, "dead": dead}
        )
        return
    OUTBOX.complete(delivery, done_at=clock.now())


def _deliver_batch(sub: Subscriber, deliveries: list[OutboxDelivery]) -> None:
    """Run a batch subscriber on its deliveries of a batch; on failure, one by one."""
    assert sub.batch is not None
    try:
        with transaction.atomic():
            sub.batch([delivery.event for delivery in deliveries])
    except Exception:  # noqa: BLE001 - find the failing events by delivering them one by one
        log.warning("batch subscriber %s failed; delivering its %d events one by one", sub.name, len(deliveries))
        for delivery in deliveries:
            deliver(delivery)
        return
    OUTBOX.complete_many(deliveries, done_at=clock.now())


def replay_dead(*, subscriber_name: str | None = None) -> int:
    """Put dead letters back in the queue; return how many."""
    return OUTBOX.replay(where=Q(subscriber=subscriber_name) if subscriber_name else None)

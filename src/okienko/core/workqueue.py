"""One claimable work queue for every table of work items (ADR 0046).

A queue is a table whose rows wait in a *pending* status until a worker claims them, does the
work and records the outcome. The table's model inherits :class:`Claimable` (who holds an item and
until when, the last error) and is described by one :class:`WorkQueue`: which field holds the
status and which values mean pending, done and dead, which field says when an item is due, how
long a claim lasts, how many attempts an item gets and how long to wait between them.

* :meth:`WorkQueue.claim` takes up to ``limit`` due items for one worker. On PostgreSQL the
  candidates are locked with ``FOR UPDATE SKIP LOCKED`` (two workers never wait for nor take the
  same rows) and stamped with the claim; elsewhere (SQLite) one ``UPDATE … WHERE id IN (…)`` stamps
  only rows nobody holds, which is atomic because the database has one writer at a time. Either
  way a claim is a lease: a worker that dies leaves its items to be claimed again once
  ``claimed_until`` has passed.
* :meth:`WorkQueue.complete` and :meth:`WorkQueue.fail` record the outcome with one ``UPDATE``
  guarded by the claim, so a worker whose lease ran out cannot overwrite another's result.
  ``fail`` waits :class:`Backoff` (10 s, 20 s, 40 s … capped) before the next attempt and turns the
  item into a dead letter after ``max_attempts``.
* :meth:`WorkQueue.replay` puts dead letters back; :meth:`WorkQueue.metrics` gives depth, lag
  (age of the oldest due item) and the number of dead letters for ``/health`` and the admin.

Queues register themselves (:func:`register`) so that core's health check and admin page list the
queues of outer apps without importing them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, router, transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.core import clock

M = TypeVar("M", bound="Claimable")

_HOST = socket.gethostname()[:40]

log = logging.getLogger(__name__)


class ClaimLost(RuntimeError):
    """The item is no longer held by this claim: its lease ran out and another worker took it."""


class Claimable(models.Model):
    """Who holds a work item and until when, and why its last attempt failed."""

    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True, default="", editable=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, default="")

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off: ``base``, twice that, four times … never more than ``cap``."""

    base: dt.timedelta = dt.timedelta(seconds=10)
    cap: dt.timedelta = dt.timedelta(hours=1)

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        if self.base <= dt.timedelta(0):
            return dt.timedelta(0)
        exponent = min(max(0, attempts - 1), 32)  # 2**32 × base is far past any cap
        return min(self.cap, self.base * (1 << exponent))


NO_BACKOFF = Backoff(base=dt.timedelta(0), cap=dt.timedelta(0))


@dataclass(frozen=True)
class QueueMetrics:
    """What ``/health`` and the admin show of a queue."""

    name: str
    label: str
    depth: int  # pending items, due or not
    due: int  # pending items whose time has come
    lag_seconds: float  # age of the oldest due item (0 when none is due)
    dead: int  # dead letters waiting for a replay
    lag_limit_seconds: float

    @property
    def lagging(self) -> bool:
        return self.lag_seconds >= self.lag_limit_seconds

    def as_dict(self) -> dict[str, Any]:
        return {"depth": self.depth, "due": self.due, "lag_seconds": round(self.lag_seconds, 1), "dead": self.dead}


def new_claim_id(worker: str = "") -> str:
    """A name for one claim: the worker (host and process by default) and a random part, so that
    two claims never share it."""
    return f"{(worker or f'{_HOST}:{os.getpid()}')[:80]}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class WorkQueue(Generic[M]):
    """How one table of :class:`Claimable` rows works as a queue (see the module docstring)."""

    name: str
    label: str | Promise
    model: type[M]
    pending: str
    done: str
    dead: str
    status_field: str = "status"
    # When an item is due; ``None``: as soon as it is pending (and failures are retried at once).
    due_field: str | None = "available_at"
    # Since when a due item has waited, for the lag (defaults to ``due_field``).
    since_field: str | None = None
    order_by: tuple[str, ...] = ("id",)
    lease: dt.timedelta = dt.timedelta(minutes=5)
    max_attempts: Callable[[], int] = lambda: 8
    backoff: Backoff = field(default_factory=Backoff)
    # Narrows what counts as a dead letter when the dead status also holds other outcomes.
    dead_filter: Q | None = None
    # Further fields a replay resets (besides status, attempts, due time, claim and error).
    replay_values: Mapping[str, Any] = field(default_factory=dict)
    lag_limit: dt.timedelta = dt.timedelta(minutes=10)

    # -- reading ---------------------------------------------------------------------------

    @property
    def objects(self) -> QuerySet[M]:
        return self.model._default_manager.all()

    def pending_items(self) -> QuerySet[M]:
        return self.objects.filter(**{self.status_field: self.pending})

    def dead_letters(self) -> QuerySet[M]:
        dead = self.objects.filter(**{self.status_field: self.dead})
        return dead.filter(self.dead_filter) if self.dead_filter is not None else dead

    def claimable(self, now: dt.datetime | None = None) -> QuerySet[M]:
        """Pending items that are due and held by nobody (or by a lease that ran out)."""
        now = now or clock.now()
        rows = self.pending_items()
        if self.due_field:
            rows = rows.filter(**{f"{self.due_field}__lte": now})
        return rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))

    # -- claiming --------------------------------------------------------------------------

    def claim(
        self,
        *,
        limit: int,
        worker: str | None = None,
        exclude: Iterable[int] = (),
        after: int | None = None,
        queryset: Callable[[QuerySet[M]], QuerySet[M]] | None = None,
    ) -> list[M]:
        """Claim up to ``limit`` due items, in ``order_by`` order, for ``worker``; return them.

        Each call is a claim of its own (``claimed_by`` is the worker's name and a random part).
        ``exclude`` leaves out items this worker already gave up on in this round, ``after`` starts
        after an id (a keyset position), ``queryset`` adds ``select_related`` and the like to the
        rows returned (never to the lock)."""
        if limit <= 0:
            return []
        now = clock.now()
        worker = new_claim_id(worker or "")
        until = now + self.lease
        candidates = self.claimable(now)
        if after:
            candidates = candidates.filter(pk__gt=after)
        excluded = list(exclude)
        if excluded:
            candidates = candidates.exclude(pk__in=excluded)
        candidates = candidates.order_by(*self.order_by)
        shape = queryset or (lambda rows: rows)
        db = router.db_for_write(self.model)
        connection = transaction.get_connection(db)
        if connection.features.has_select_for_update_skip_locked:
            with transaction.atomic(using=db):
                locked = shape(candidates).select_for_update(skip_locked=True, of=("self",))
                items = list(locked[:limit])
                if items:
                    self.objects.filter(pk__in=[item.pk for item in items]).update(
                        claimed_by=worker, claimed_until=until
                    )
            for item in items:
                item.claimed_by, item.claimed_until = worker, until
            return items
        # One writer at a time (SQLite): the guard inside this single UPDATE makes the claim atomic.
        taken = (
            self.claimable(now)
            .filter(pk__in=candidates.values("pk")[:limit])
            .update(claimed_by=worker, claimed_until=until)
        )
        if not taken:
            return []
        return list(shape(self.objects.filter(claimed_by=worker)).order_by(*self.order_by))

    def work(
        self,
        *,
        limit: int,
        handle: Callable[[M], object],
        queryset: Callable[[QuerySet[M]], QuerySet[M]] | None = None,
    ) -> int:
        """Claim up to ``limit`` due items and pass each to ``handle`` (which records its outcome)
        while its claim still holds; return how many were handled. Items whose lease ran out
        during a slow batch are left to whoever claims them next."""
        handled = 0
        for item in self.claim(limit=limit, queryset=queryset):
            if self.holds(item):
                handle(item)
                handled += 1
        return handled

    def holds(self, item: M) -> bool:
        """Whether ``item``'s claim has not run out yet (checked before starting slow work on it)."""
        return item.claimed_until is not None and clock.now() < item.claimed_until

    def release(self, items: Iterable[M]) -> int:
        """Give back claimed items that were not worked on (they are due again at once)."""
        count = 0
        for worker, ids in _by_worker(items).items():
            count += self.objects.filter(pk__in=ids, claimed_by=worker).update(claimed_by="", claimed_until=None)
        return count

    # -- outcomes --------------------------------------------------------------------------

    def _held(self, item: M) -> QuerySet[M]:
        return self.objects.filter(pk=item.pk, claimed_by=item.claimed_by, **{self.status_field: self.pending})

    def complete(self, item: M, **values: Any) -> bool:
        """Record success (status ``done``, one more attempt, claim and error cleared, ``values``).

        Return ``False`` (and change nothing) when ``item`` is no longer held by its claim."""
        changes: dict[str, Any] = {
            self.status_field: self.done,
            "attempts": F("attempts") + 1,
            "claimed_by": "",
            "claimed_until": None,
            "last_error": "",
            **values,
        }
        return self._finish(item, changes, attempts=_attempts(item) + 1)

    def complete_many(self, items: Iterable[M], **values: Any) -> int:
        """Record the success of several items in one UPDATE per claim (as :meth:`complete` does
        for one); return how many were still held by their claim (the others are left alone)."""
        changes: dict[str, Any] = {
            self.status_field: self.done,
            "attempts": F("attempts") + 1,
            "claimed_by": "",
            "claimed_until": None,
            "last_error": "",
            **values,
        }
        done = 0
        for claim, ids in _by_worker(items).items():
            held = self.objects.filter(pk__in=ids, claimed_by=claim, **{self.status_field: self.pending})
            done += held.update(**changes)
        return done

    def finish(self, item: M, *, status: str, **values: Any) -> bool:
        """Record an outcome other than success or failure (e.g. a rejection), guarded as above."""
        changes: dict[str, Any] = {self.status_field: status, "claimed_by": "", "claimed_until": None, **values}
        return self._finish(item, changes, attempts=None)

    def fail(self, item: M, error: str, *, dead_values: Mapping[str, Any] | None = None, **values: Any) -> bool:
        """Record a failed attempt; return whether the item became a dead letter.

        Before ``max_attempts`` the item is due again after the back-off (at once without a due
        field); at the limit its status becomes ``dead`` and ``dead_values`` are written too."""
        attempts = _attempts(item) + 1
        dead = attempts >= self.max_attempts()
        changes: dict[str, Any] = {
            "attempts": attempts,
            "claimed_by": "",
            "claimed_until": None,
            "last_error": error[:2000],
            **values,
        }
        if dead:
            changes[self.status_field] = self.dead
            changes.update(dead_values or {})
        elif self.due_field:
            changes[self.due_field] = clock.now() + self.backoff.delay(attempts)
        return self._finish(item, changes, attempts=attempts) and dead

    def _finish(self, item: M, changes: dict[str, Any], *, attempts: int | None) -> bool:
        if not self._held(item).update(**changes):
            return False
        for name, value in changes.items():
            if name == "attempts":
                value = attempts
            setattr(item, name, value)
        return True

    # -- dead letters and metrics ----------------------------------------------------------

    def replay(self, *, where: Q | None = None) -> int:
        """Put dead letters (those matching ``where``) back in the queue; return how many."""
        dead = self.dead_letters()
        if where is not None:
            dead = dead.filter(where)
        values: dict[str, Any] = {
            self.status_field: self.pending,
            "attempts": 0,
            "claimed_by": "",
            "claimed_until": None,
            "last_error": "",
            **self.replay_values,
        }
        if self.due_field:
            values[self.due_field] = clock.now()
        return dead.update(**values)

    def metrics(self) -> QueueMetrics:
        """Depth, due items, lag and dead letters (four indexed look-ups)."""
        now = clock.now()
        pending = self.pending_items()
        due = pending.filter(**{f"{self.due_field}__lte": now}) if self.due_field else pending
        since = self.since_field or self.due_field
        oldest = due.aggregate(oldest=Min(since))["oldest"] if since else None
        depth = pending.count()
        return QueueMetrics(
            name=self.name,
            label=str(self.label),
            depth=depth,
            due=due.count() if self.due_field else depth,
            lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
            dead=self.dead_letters().count(),
            lag_limit_seconds=self.lag_limit.total_seconds(),
        )


def _attempts(item: Claimable) -> int:
    value = getattr(item, "attempts", 0)
    return int(value) if isinstance(value, int) else 0


def _by_worker(items: Iterable[Claimable]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in items:
        if item.claimed_by:
            grouped.setdefault(item.claimed_by, []).append(item.pk)
    return grouped


def wake(start: Callable[[], object], *, queue: str) -> None:
    """Ask a worker to work on ``queue`` now (``start``: a task's ``delay``); when the task broker
    cannot be reached, the periodic sweep picks the work up later."""
    try:
        start()
    except Exception:  # noqa: BLE001 - the periodic sweep does the work later
        log.warning("%s: could not reach the task queue; the periodic sweep will pick the work up", queue)


_queues: dict[str, WorkQueue[Any]] = {}


def register(queue: WorkQueue[M]) -> WorkQueue[M]:
    """Make ``queue`` known to ``/health`` and the admin (an app does this when it is imported)."""
    _queues[queue.name] = queue
    return queue


def registered() -> list[WorkQueue[Any]]:
    return sorted(_queues.values(), key=lambda q: q.name)


def get(name: str) -> WorkQueue[Any]:
    return _queues[name]


def replay_dead_letters(*, actor: AbstractBaseUser | AnonymousUser | None, queue: WorkQueue[Any]) -> int:
    """Put every dead letter of ``queue`` back in it, audited; return how many."""
    from okienko.core import audit  # audit reaches core.models, which imports this module

    with transaction.atomic():
        count = queue.replay()
        audit.record("workqueue.dead_letters_replayed", actor=actor, data={"queue": queue.name, "count": count})
    return count

"""Queued intake of GeoReport ``POST requests`` (ADR 0040).

A request that is queued is checked completely for its wire format, key, service and answers,
stored as an :class:`Open311Intake` receipt in one INSERT and answered with a ``token`` at once.
The intake worker (:func:`drain`, run by Celery and by ``okienko open311_intake``) claims receipts
from the work queue ``INTAKE`` (ADR 0046) and turns them into cases through the same
``submit_service_request`` the immediate path uses, up to ``GROUP`` requests per transaction, and
records the outcome on the receipt; ``GET tokens/{token}`` reports it.

Which requests are queued (setting ``OPEN311_INTAKE``):

* ``immediate`` — none: every request becomes a case inside the HTTP request;
* ``queued`` — all of them;
* ``adaptive`` (default) — ``batch`` services always; ``realtime`` services only while this
  process is already opening ``OPEN311_ADAPTIVE_LIMIT`` cases concurrently or has taken more
  than ``OPEN311_ADAPTIVE_RATE`` of them in the current or the previous second (0: no such
  check), so a burst is absorbed by the queue instead of piling up behind the database; once
  busy, the process keeps queueing ``realtime`` requests for ``OPEN311_ADAPTIVE_HOLD`` seconds
  (a burst's lulls do not let new requests overtake queued ones).

While receipts arrive faster than ``OPEN311_DRAIN_YIELD_RATE`` per second, the worker yields the
machine to the intake: it opens ``OPEN311_DRAIN_MIN_RATE`` cases per second (never none) and
catches up when the burst is over.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from okienko.accounts.models import Organisation
from okienko.accounts.tokens import ApiToken
from okienko.catalogue import rules
from okienko.catalogue.models import Service, ServiceQuestion
from okienko.core import audit, clock, context, events, workqueue
from okienko.core.ids import uuid7
from okienko.integrations.open311 import representation
from okienko.integrations.open311.intake import ServiceRequestInput, case_input_errors
from okienko.integrations.open311.models import Open311Intake

log = logging.getLogger(__name__)

MODES = ("immediate", "queued", "adaptive")
MAX_ATTEMPTS = 5
BATCH = 20  # receipts claimed at once by one worker (a few seconds of work, well inside the lease)
GROUP = 20  # receipts opened in one transaction (its case-number counter row is locked until the commit)

INTAKE: workqueue.WorkQueue[Open311Intake] = workqueue.register(
    workqueue.WorkQueue(
        name="open311",
        label=_("Open311 queued requests"),
        model=Open311Intake,
        status_field="state",
        pending=Open311Intake.State.QUEUED,
        done=Open311Intake.State.OPENED,
        dead=Open311Intake.State.REJECTED,
        due_field=None,  # due when received; a failure is retried by the next drain, not later
        since_field="received_at",
        order_by=("id",),
        lease=dt.timedelta(minutes=5),
        max_attempts=lambda: MAX_ATTEMPTS,
        backoff=workqueue.NO_BACKOFF,
        dead_filter=~Q(last_error=""),  # a rejection for its content is an answer, not a dead letter
        replay_values={"errors": {}, "processed_at": None},
    )
)

_inflight = 0
_inflight_lock = threading.Lock()
_last_kick = 0.0
_busy_until = 0.0


class _Arrivals:
    """``realtime`` POSTs taken by this process in the current and the previous whole second."""

    def __init__(self) -> None:
        self.second, self.current, self.previous = 0, 0, 0
        self.lock = threading.Lock()

    def note(self) -> int:
        """Count one arrival; return the busier of the two seconds' counts."""
        second = int(time.monotonic())
        with self.lock:
            if second != self.second:
                self.previous = self.current if second == self.second + 1 else 0
                self.second, self.current = second, 0
            self.current += 1
            return max(self.current, self.previous)


_arrivals = _Arrivals()


def mode() -> str:
    value = getattr(settings, "OPEN311_INTAKE", "adaptive")
    return value if value in MODES else "adaptive"


def should_queue(service: Service) -> bool:
    chosen = mode()
    if chosen == "immediate":
        return False
    if chosen == "queued" or representation.service_type(service) == "batch":
        return True
    global _busy_until
    rate = _arrivals.note()
    now = time.monotonic()
    if now < _busy_until:
        return True  # still in a burst: do not overtake the requests queued a moment ago
    limit = int(getattr(settings, "OPEN311_ADAPTIVE_RATE", 5))
    if (limit and rate > limit) or _inflight >= int(getattr(settings, "OPEN311_ADAPTIVE_LIMIT", 1)):
        _busy_until = now + float(getattr(settings, "OPEN311_ADAPTIVE_HOLD", 10.0))
        return True
    return False


@contextlib.contextmanager
def immediate_slot() -> Iterator[None]:
    """Count the cases this process is opening inside HTTP requests (read by ``should_queue``)."""
    global _inflight
    with _inflight_lock:
        _inflight += 1
    try:
        yield
    finally:
        with _inflight_lock:
            _inflight -= 1


def accept(
    *, api_token: ApiToken, jurisdiction: Organisation, service: Service, data: ServiceRequestInput
) -> Open311Intake:
    """Store the receipt (one INSERT) and wake the intake worker after the commit.

    Plain SQL: this is the hottest write of the installation and the ORM's compilation of the
    INSERT cost as much as running it (ADR 0040)."""
    intake = Open311Intake(
        token=uuid7(),
        jurisdiction=jurisdiction,
        service=service,
        api_token=api_token,
        received_at=clock.now(),
        request_id=context.current().request_id[:64],
        payload=dict(vars(data)),
    )
    table = Open311Intake._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token, jurisdiction_id, service_id, api_token_id, received_at, request_id,"  # noqa: S608 - model metadata
            " payload, state, errors, attempts, claimed_by, last_error)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{}', 0, '', '')",
            [
                intake.token.hex if connection.vendor == "sqlite" else intake.token,
                jurisdiction.pk,
                service.pk,
                api_token.pk,
                intake.received_at,
                intake.request_id,
                json.dumps(intake.payload, ensure_ascii=False),
                intake.state,
            ],
        )
    transaction.on_commit(_kick)
    return intake


def _kick() -> None:
    """Ask a worker to drain the queue, at most twice a second per process (the beat sweeps too)."""
    global _last_kick
    now = time.monotonic()
    if now - _last_kick < 0.5:
        return
    _last_kick = now
    from okienko.integrations.tasks import drain_open311_intake

    workqueue.wake(drain_open311_intake.delay, queue=INTAKE.name)


class _Lookups:
    """Jurisdictions, keys (with their users' scopes) and services with their questions, shared by
    the receipts of one drain for a few seconds, as the HTTP intake shares them (ADR 0040)."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl, self.expires = ttl, time.monotonic() + ttl
        self.jurisdictions: dict[int, Organisation] = {}
        self.tokens: dict[int, ApiToken] = {}
        self.services: dict[int, tuple[Service, list[ServiceQuestion]]] = {}

    def attach(self, intake: Open311Intake) -> list[ServiceQuestion]:
        if time.monotonic() > self.expires:
            self.jurisdictions.clear()
            self.tokens.clear()
            self.services.clear()
            self.expires = time.monotonic() + self.ttl
        if intake.jurisdiction_id not in self.jurisdictions:
            self.jurisdictions[intake.jurisdiction_id] = Organisation.objects.get(pk=intake.jurisdiction_id)
        if intake.api_token_id not in self.tokens:
            self.tokens[intake.api_token_id] = ApiToken.objects.select_related("user", "organisation").get(
                pk=intake.api_token_id
            )
        if intake.service_id not in self.services:
            service = (
                Service.objects.select_related("responsible_unit")
                .prefetch_related(rules.prefetch())  # priority rules: loaded once per drain, not per case
                .get(pk=intake.service_id)
            )
            questions = list(service.questions.prefetch_related("choices").order_by("order", "id"))
            self.services[intake.service_id] = (service, questions)
        intake.jurisdiction = self.jurisdictions[intake.jurisdiction_id]
        intake.api_token = self.tokens[intake.api_token_id]
        intake.service, questions = self.services[intake.service_id]
        return questions


def process(intake: Open311Intake, questions: list[ServiceQuestion] | None = None) -> None:
    """Open the case for one claimed receipt (inside the caller's transaction) and record the
    outcome; raise :class:`workqueue.ClaimLost` (the caller rolls the case back) if the claim ran
    out and another worker took the receipt.

    A rejection (input no longer valid, key no longer allowed) is raised by ``open_case`` before
    it writes anything, so it needs no savepoint of its own: the receipts of one group share one
    transaction (:func:`_open_group`)."""
    from okienko.cases.intake import CaseInputError
    from okienko.integrations.open311.actions import submit_service_request

    data = ServiceRequestInput(**intake.payload)
    now = clock.now()
    try:
        case = submit_service_request(
            api_token=intake.api_token,
            jurisdiction=intake.jurisdiction,
            service=intake.service,
            data=data,
            intake=intake,
            questions=questions,
        )
    except (CaseInputError, PermissionDenied) as exc:
        # Kept in English (the messages' msgids) so that ``GET tokens/{token}`` can word them in the
        # client's language; a PermissionDenied's message stays in the language it was made in.
        if isinstance(exc, CaseInputError):
            errors = case_input_errors(exc, "en")
        else:
            errors = {"api_key": str(exc) or gettext_noop("not allowed")}
        audit.record(
            "open311.request_rejected",
            actor=intake.api_token.user,
            obj=intake,
            organisation_id=intake.jurisdiction_id,
            data={"token": str(intake.token), "errors": errors, "received_at": intake.received_at.isoformat()},
        )
        held = INTAKE.finish(
            intake, status=Open311Intake.State.REJECTED, errors=errors, processed_at=now, attempts=intake.attempts + 1
        )
    else:
        held = INTAKE.complete(intake, case=case, processed_at=now)
    if not held:
        raise workqueue.ClaimLost(f"open311 receipt {intake.pk} is no longer held by this worker")


def _open_group(group: list[Open311Intake], lookups: _Lookups) -> None:
    """Open the cases of ``group`` in one transaction: the audit entries are chained and the
    outbox events written once for the whole group, and the group shares one commit (the
    statements per case drop from 17 to 6, ADR 0040 addendum 3). Any error rolls back the whole
    group; :func:`drain` then retries its receipts one by one."""
    with audit.batch(), events.batch():
        for intake in group:
            with context.using(context.RequestContext(request_id=intake.request_id or uuid7().hex, channel="api")):
                process(intake, lookups.attach(intake))


def _give_up(intake: Open311Intake, error: str) -> None:
    """Count a failed attempt; after ``MAX_ATTEMPTS`` reject the receipt for good (a dead letter)."""
    with transaction.atomic():
        dead = INTAKE.fail(
            intake,
            error,
            dead_values={
                "errors": {"": gettext_noop("The request could not be processed; the contact centre was notified.")},
                "processed_at": clock.now(),
            },
        )
        if dead:
            audit.record(
                "open311.request_failed",
                actor=None,
                obj=intake,
                organisation_id=intake.jurisdiction_id,
                data={"token": str(intake.token), "error": error[:500]},
            )


class _Pace:
    """Slows the worker while receipts arrive fast (one ``max(id)`` look-up every half second):
    during a burst the web workers need the cores and the database more than the cases are
    needed at once; the worker still opens ``min_rate`` cases a second, one per transaction, and
    catches up afterwards in groups."""

    INTERVAL = 0.5

    def __init__(self) -> None:
        self.yield_rate = float(getattr(settings, "OPEN311_DRAIN_YIELD_RATE", 50))
        self.min_rate = max(0.1, float(getattr(settings, "OPEN311_DRAIN_MIN_RATE", 5.0)))
        self.top: int | None = None
        self.checked = 0.0
        self.arriving = 0.0

    @staticmethod
    def _newest() -> int:
        return Open311Intake.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def _measure(self) -> None:
        now = time.monotonic()
        if now - self.checked < self.INTERVAL:
            return
        top = self._newest()
        if self.top is not None:
            self.arriving = (top - self.top) / (now - self.checked)
        self.top, self.checked = top, now

    def wait(self, deadline: float) -> bool:
        """Before each group: pause ``1 / min_rate`` seconds and return ``True`` (open a single
        case next) if the intake is under a burst."""
        if self.yield_rate <= 0:
            return False
        self._measure()
        if self.arriving > self.yield_rate:
            time.sleep(max(0.0, min(1.0 / self.min_rate, deadline - time.monotonic())))
            return True
        return False


def drain(*, limit: int = 10_000, seconds: float = 50.0) -> dict[str, int]:
    """Turn queued receipts into cases, oldest first, until the queue is empty or a bound is hit.

    Receipts are claimed ``BATCH`` at a time (ADR 0046) and opened in groups of up to ``GROUP``
    per transaction (one at a time while the intake is under a burst); a group that fails is
    rolled back and its receipts are retried one per transaction, so one bad receipt never stops
    the others. The claims of receipts not reached when a bound is hit are given back."""
    counts = {"opened": 0, "rejected": 0, "failed": 0}
    deadline = time.monotonic() + seconds
    pace = _Pace()
    skip: set[int] = set()
    lookups = _Lookups()
    # Keyset position: the partial index still holds the entries of receipts processed since the
    # last vacuum, and starting each claim after the last id taken skips them all.
    after = 0
    batch: list[Open311Intake] = []
    try:
        while sum(counts.values()) < limit and time.monotonic() < deadline:
            if not batch:
                room = min(BATCH, limit - sum(counts.values()))
                batch = INTAKE.claim(limit=room, exclude=skip, after=after)
                if not batch and after:
                    after = 0  # once more from the start: receipts committed late or held by others
                    batch = INTAKE.claim(limit=room, exclude=skip)
                if not batch:
                    break
                after = batch[-1].pk
                batch.reverse()  # taken from the end: oldest first
            size = 1 if pace.wait(deadline) else GROUP
            group: list[Open311Intake] = []
            while batch and len(group) < size:
                intake = batch.pop()
                if INTAKE.holds(intake):  # else the claim ran out (a long pause): whoever claims it next opens it
                    group.append(intake)
            if len(group) > 1:
                saved = [_snapshot(intake) for intake in group]
                try:
                    _open_group(group, lookups)
                except Exception:  # noqa: BLE001 - any error: retry the receipts one by one, where it is logged
                    log.warning("open311: a group of %d receipts failed; opening them one by one", len(group))
                    for intake, state in zip(group, saved, strict=True):
                        vars(intake).update(state)  # rolled back
                else:
                    _count(group, counts)
                    continue
            for intake in group:
                _open_alone(intake, lookups, counts, skip)
    finally:
        INTAKE.release(batch)
    return counts


def _snapshot(intake: Open311Intake) -> dict[str, Any]:
    """The receipt's attributes, to put back when its transaction is rolled back."""
    return {**vars(intake), "_state": copy.copy(intake._state)}


def _count(group: list[Open311Intake], counts: dict[str, int]) -> None:
    for intake in group:
        counts[intake.state if intake.state != Open311Intake.State.QUEUED else "failed"] += 1


def _open_alone(intake: Open311Intake, lookups: _Lookups, counts: dict[str, int], skip: set[int]) -> None:
    saved = _snapshot(intake)
    try:
        _open_group([intake], lookups)
    except Exception as exc:  # one bad receipt never stops the others
        log.exception("open311: queued request %s failed", intake.pk)
        counts["failed"] += 1
        skip.add(intake.pk)
        vars(intake).update(saved)  # rolled back
        _give_up(intake, repr(exc))
    else:
        _count([intake], counts)


def state_of(token: Any, jurisdiction: Organisation) -> dict[str, Any] | None:
    """What ``GET tokens/{token}`` reports for a queued request, or ``None`` if it is not one."""
    row = Open311Intake.objects.filter(token=token, jurisdiction=jurisdiction).values("state", "errors").first()
    return dict(row) if row is not None else None

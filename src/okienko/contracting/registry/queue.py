"""Imports from Syriusz in the background: the shared work queue (ADR 0046) over ``ImportBatch``.

The desk stores an upload as a batch ``queued`` (``importer.enqueue``) and wakes a worker after
the commit; the worker claims one batch at a time, reads the stored file, checks it for viruses
and imports it with ``importer.process`` — chunk by chunk, each chunk in its own transaction, the
counters on the batch growing as it goes (the desk's batch page shows them). The claim is renewed
with every chunk, so a long import keeps it and a worker that died leaves the batch to the next
one, which starts it over (the rows already applied come back as unchanged, never duplicated).

The batch ends ``done``, ``refused`` (a file that cannot be read: the reason in ``refusal``) or
``failed`` (anything else: a readable reason in ``failure``, the error in ``last_error``). A
periodic sweep (Celery beat) picks up what a lost wake-up left behind.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from okienko.contracting.registry import importer, mappers
from okienko.contracting.registry.models import ImportBatch
from okienko.core import audit, clock, context, uploads, workqueue

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # renewed with every chunk of 2,000 rows

IMPORTS: workqueue.WorkQueue[ImportBatch] = workqueue.register(
    workqueue.WorkQueue(
        name="registry_imports",
        label=_("Registry imports from Syriusz"),
        model=ImportBatch,
        pending=ImportBatch.State.QUEUED,
        done=ImportBatch.State.DONE,
        dead=ImportBatch.State.FAILED,
        due_field=None,  # due when queued
        since_field="created_at",
        order_by=("id",),
        lease=LEASE,
        # An import that failed is not retried by itself (the office uploads the file again, or an
        # administrator replays it from the queues page once the cause is fixed).
        max_attempts=lambda: 1,
        backoff=workqueue.NO_BACKOFF,
        replay_values={"failure": "", "finished_at": None, "started_at": None},
        lag_limit=dt.timedelta(minutes=30),
    )
)


def kick() -> None:
    """Ask a worker to import now (after the transaction that queued the batch commits)."""
    from okienko.contracting.registry.tasks import import_registry_batches

    workqueue.wake(import_registry_batches.delay, queue=IMPORTS.name)


def drain(*, limit: int = 10) -> int:
    """Import up to ``limit`` queued batches, one claim each; return how many were handled.
    The Celery task, the periodic sweep and the tests call it."""
    handled = 0
    for _round in range(limit):
        claimed = IMPORTS.claim(limit=1, queryset=lambda rows: rows.select_related("office", "created_by"))
        if not claimed:
            break
        for batch in claimed:
            if IMPORTS.holds(batch):
                run(batch)
                handled += 1
    return handled


def run(batch: ImportBatch) -> None:
    """Import one claimed batch and record how it ended (see the module docstring)."""
    language = batch.language or settings.LANGUAGE_CODE
    with context.channel("worker"), translation.override(language):
        try:
            _run(batch)
        except workqueue.ClaimLost:
            log.warning("registry import %s: the claim ran out; whoever claims it next starts it over", batch.pk)
        except Exception as error:
            log.exception("registry import %s failed", batch.pk)
            _failed(batch, gettext("The import stopped because of an unexpected error."), repr(error))


def _run(batch: ImportBatch) -> None:
    now = clock.now()
    batch.started_at = now
    ImportBatch.objects.filter(pk=batch.pk, claimed_by=batch.claimed_by).update(started_at=now)
    mapper = mappers.get(batch.mapper)
    if mapper is None:
        _failed(batch, gettext("Unknown export format."))
        return
    data = _read(batch)
    if data is None:
        _failed(batch, gettext("The file is no longer stored; upload it again."))
        return
    if not uploads.scanner()(data).clean:
        _refused(batch, "virus", gettext("The file did not pass the virus check."))
        return
    outcome = importer.process(batch, mapper, data, actor=batch.created_by, on_chunk=lambda: _renew(batch))
    if outcome.status == ImportBatch.State.REFUSED:
        IMPORTS.finish(batch, status=outcome.status, refusal=outcome.refusal, finished_at=clock.now())
        return
    IMPORTS.complete(batch, finished_at=clock.now())


def _read(batch: ImportBatch) -> bytes | None:
    if not batch.file.name or batch.file_deleted_at is not None:
        return None
    try:
        with batch.file.open("rb") as stored:
            data: bytes = stored.read()
    except OSError:
        return None
    return data


def _renew(batch: ImportBatch) -> None:
    """Keep the claim for another lease; ``ClaimLost`` when another worker has taken the batch."""
    until = clock.now() + LEASE
    held = ImportBatch.objects.filter(pk=batch.pk, claimed_by=batch.claimed_by, status=ImportBatch.State.QUEUED).update(
        claimed_until=until
    )
    if not held:
        raise workqueue.ClaimLost(str(batch.pk))
    batch.claimed_until = until


def _refused(batch: ImportBatch, code: str, reason: str) -> None:
    audit.record(
        "contracting_registry.import_refused",
        actor=batch.created_by,
        obj=batch,
        organisation_id=batch.office_id,
        data={"reason": code, "file": batch.original_name},
    )
    IMPORTS.finish(batch, status=ImportBatch.State.REFUSED, refusal=reason, finished_at=clock.now())


def _failed(batch: ImportBatch, reason: str, error: str = "") -> None:
    done = clock.now()
    IMPORTS.fail(batch, error or reason, dead_values={"failure": reason[:300], "finished_at": done})
    audit.record(
        "contracting_registry.import_failed",
        actor=batch.created_by,
        obj=batch,
        organisation_id=batch.office_id,
        data={"file": batch.original_name, "reason": reason, "rows": batch.rows},
    )

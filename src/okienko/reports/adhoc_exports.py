"""Large ad hoc exports in the background (issue 20, item 5; ADR 0069): the shared work queue
(ADR 0046) over ``ExportJob``.

The desk asks for an export (:func:`start`): the job is stored ``queued`` with the reader's scope
*not* in it (the worker asks the roles of the person who asked again, so a role taken away
meanwhile narrows the export) and a worker is woken after the commit. The worker writes the file
chunk by chunk into the stored file's place, updating ``rows_done`` (the page polls it) and checking
``cancel_requested`` with every chunk: a cancelled job stops, its partial file is deleted. A done
file may be downloaded by the person who asked for it only, until ``expires_at``; expired files
are deleted by the periodic sweep (:func:`purge_expired`) or on access.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access
from okienko.accounts.models import User
from okienko.accounts.roles import Perm
from okienko.core import audit, clock, context, workqueue
from okienko.core.files import stored_file_path
from okienko.reports import adhoc
from okienko.reports.adhoc_models import ExportJob

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # renewed with every chunk
PROGRESS_EVERY = 2000


def threshold() -> int:
    """Exports of more rows than this go to the background (``OKIENKO_REPORT_EXPORT_BACKGROUND_ROWS``)."""
    return int(getattr(settings, "OKIENKO_REPORT_EXPORT_BACKGROUND_ROWS", 50_000))


def keep_days() -> int:
    return int(getattr(settings, "OKIENKO_REPORT_EXPORT_KEEP_DAYS", 3))


EXPORTS: workqueue.WorkQueue[ExportJob] = workqueue.register(
    workqueue.WorkQueue(
        name="report_exports",
        label=_("Report exports"),
        model=ExportJob,
        pending=ExportJob.State.QUEUED,
        done=ExportJob.State.DONE,
        dead=ExportJob.State.FAILED,
        due_field=None,
        since_field="created_at",
        order_by=("id",),
        lease=LEASE,
        max_attempts=lambda: 2,
        backoff=workqueue.NO_BACKOFF,
        replay_values={"rows_done": 0, "started_at": None, "finished_at": None, "cancel_requested": False},
        lag_limit=dt.timedelta(minutes=30),
    )
)


def scope_of(user: User) -> list[int]:
    return list(access.organisations_with(user, Perm.REPORTS_VIEW).values_list("pk", flat=True))


def start(*, user: User, definition: adhoc.Definition, detail: bool, fmt: str, estimate: int) -> ExportJob:
    """Queue an export (audited) and wake a worker once the transaction commits."""
    now = clock.now()
    name = f"raport-{definition.source}-{definition.since.isoformat()}-{definition.until.isoformat()}.{fmt}"
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=user,
            definition=definition.as_json(),
            detail=detail,
            fmt=fmt,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=estimate,
            original_name=name,
            content_type=adhoc.XLSX_TYPE if fmt == "xlsx" else "text/csv",
            created_at=now,
        )
        audit.record(
            "reports.adhoc_export_started",
            actor=user,
            obj=job,
            data={"format": fmt, "detail": detail, "estimate": estimate, "definition": job.definition},
            kind="security",
        )
        transaction.on_commit(kick)
    return job


def kick() -> None:
    from okienko.reports.tasks import run_exports

    workqueue.wake(run_exports.delay, queue=EXPORTS.name)


def drain(*, limit: int = 5) -> int:
    """Run up to ``limit`` queued exports, one claim each (the task, the sweep and the tests)."""
    handled = 0
    for _round in range(limit):
        claimed = EXPORTS.claim(limit=1, queryset=lambda rows: rows.select_related("requested_by"))
        if not claimed:
            break
        for job in claimed:
            if EXPORTS.holds(job):
                run(job)
                handled += 1
    return handled


class Cancelled(Exception):
    pass


def run(job: ExportJob) -> None:
    """Write one claimed job's file and record how it ended."""
    with context.channel("worker"), translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except Cancelled:
            _delete_file(job)
            EXPORTS.finish(job, status=ExportJob.State.CANCELLED, finished_at=clock.now(), file="")
            audit.record(
                "reports.adhoc_export_cancelled",
                actor=job.requested_by,
                obj=job,
                data={"rows": job.rows_done},
                kind="security",
            )
        except workqueue.ClaimLost:
            log.warning("report export %s: the claim ran out; whoever claims it next starts over", job.pk)
        except Exception as error:
            log.exception("report export %s failed", job.pk)
            _delete_file(job)
            EXPORTS.fail(job, repr(error), dead_values={"finished_at": clock.now(), "file": ""})


def header_and_rows(
    definition: adhoc.Definition, scope: list[int], *, detail: bool
) -> tuple[list[str], Iterator[list[Any]]]:
    if detail:
        return adhoc.detail_header(definition), adhoc.detail_rows(definition, scope)
    return adhoc.group_header(definition), adhoc.group_rows(definition, scope)


def _run(job: ExportJob) -> None:
    now = clock.now()
    ExportJob.objects.filter(pk=job.pk, claimed_by=job.claimed_by).update(started_at=now, rows_done=0)
    definition = adhoc.parse(job.definition)  # checked again: the whitelist may have changed
    scope = scope_of(job.requested_by)  # the requester's roles now, never those of the request
    header, rows = header_and_rows(definition, scope, detail=job.detail)
    job.file.name = stored_file_path(job, job.original_name)
    path = default_storage.path(job.file.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    counted = _counting(job, rows)
    if job.fmt == "xlsx":
        adhoc.write_xlsx(path, header, counted)
    else:
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            out.write("\ufeff")
            writer.writerow(header)
            for row in counted:
                writer.writerow([adhoc.cell_text(v) for v in row])
    _check(job)  # a cancel that came with the last chunk
    sha, size = _digest(path)
    done = clock.now()
    EXPORTS.complete(
        job,
        file=job.file.name,
        size=size,
        sha256=sha,
        rows_done=job.rows_done,
        finished_at=done,
        expires_at=done + dt.timedelta(days=keep_days()),
    )
    audit.record(
        "reports.adhoc_exported",
        actor=job.requested_by,
        obj=job,
        data={"format": job.fmt, "rows": job.rows_done, "source": definition.source, "background": True},
        kind="security",
    )


def _counting(job: ExportJob, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            job.rows_done = done
            _progress(job)
    job.rows_done = done


def _progress(job: ExportJob) -> None:
    """Record the rows written, renew the claim and stop when a cancel was asked for."""
    until = clock.now() + LEASE
    held = ExportJob.objects.filter(pk=job.pk, claimed_by=job.claimed_by, status=ExportJob.State.QUEUED).update(
        rows_done=job.rows_done, claimed_until=until
    )
    if not held:
        raise workqueue.ClaimLost(str(job.pk))
    job.claimed_until = until
    _check(job)


def _check(job: ExportJob) -> None:
    if ExportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
        raise Cancelled


def _digest(path: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def _delete_file(job: ExportJob) -> None:
    if job.file.name:
        try:
            default_storage.delete(job.file.name)
        except OSError:
            log.warning("report export %s: the partial file could not be deleted", job.pk)


def cancel(job: ExportJob, *, user: User) -> bool:
    """Ask a queued or running export to stop (audited); a job not yet claimed stops at once."""
    if not job.active:
        return False
    ExportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    stopped = ExportJob.objects.filter(pk=job.pk, status=ExportJob.State.QUEUED, claimed_by="").update(
        status=ExportJob.State.CANCELLED, finished_at=clock.now()
    )
    audit.record(
        "reports.adhoc_export_cancel_requested",
        actor=user,
        obj=job,
        data={"rows": job.rows_done, "stopped_before_start": bool(stopped)},
    )
    return True


def expire(job: ExportJob) -> bool:
    """Delete a finished export's file once it has expired; return whether it did."""
    if job.status != ExportJob.State.DONE or job.expires_at is None or job.expires_at > clock.now():
        return False
    _delete_file(job)
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.State.DONE).update(status=ExportJob.State.EXPIRED, file="")
    job.status, job.file.name = ExportJob.State.EXPIRED, ""
    return True


def purge_expired() -> int:
    """Delete the files of expired exports (the periodic sweep); return how many."""
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.State.DONE, expires_at__lte=clock.now()).iterator():
        count += expire(job)
    return count

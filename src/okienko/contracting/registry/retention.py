"""How long an uploaded Syriusz export is kept: it holds the personal data of every person in it,
so its content is deleted ``OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS`` (default 30) after the import
finished. The batch stays with its counts and its rejected-rows report, whose rows keep the row
number, the field and the reason but lose what quoted the person: the value (a PESEL, a name …)
and the Syriusz id. Each deletion is audited. Run daily by Celery beat; idempotent."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction

from okienko.contracting.registry.models import FINISHED, ImportBatch, ImportRejection
from okienko.core import audit, clock

log = logging.getLogger(__name__)


def retention_days() -> int:
    return max(0, int(getattr(settings, "OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS", 30)))


def expired(now: dt.datetime | None = None) -> list[int]:
    """The finished batches whose file is past its retention and not yet deleted."""
    cutoff = (now or clock.now()) - dt.timedelta(days=retention_days())
    rows = ImportBatch.objects.filter(status__in=FINISHED, finished_at__lt=cutoff, file_deleted_at__isnull=True)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the stored files of the expired batches and the personal data quoted in their
    reports; return how many batches were purged."""
    purged = 0
    for pk in expired(now):
        if purge(pk):
            purged += 1
    return purged


def purge(pk: int) -> bool:
    """Purge one batch (see the module docstring); ``False`` when it is gone or already purged."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=pk, file_deleted_at__isnull=True).first()
        if batch is None or batch.status not in FINISHED:
            return False
        name, storage = batch.file.name, batch.file.storage
        cleared = (
            ImportRejection.objects.filter(batch=batch)
            .exclude(value="", registry_id="")
            .update(value="", registry_id="")
        )
        deleted_at = clock.now()
        ImportBatch.objects.filter(pk=pk).update(file="", file_deleted_at=deleted_at)
        audit.record(
            "contracting_registry.import_file_deleted",
            actor=None,
            obj=batch,
            organisation_id=batch.office_id,
            data={
                "file": batch.original_name,
                "sha256": batch.sha256,
                "finished_at": batch.finished_at,
                "retention_days": retention_days(),
                "rejections_cleared": cleared,
                "reason": "retention",
            },
        )
    try:
        if name:
            storage.delete(name)
    except OSError:
        log.exception("could not delete the stored registry export %s", name)
    return True

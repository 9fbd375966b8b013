"""Importing a Syriusz export into the registry of an office.

The desk stores the upload as a batch ``queued`` for the work queue (:func:`enqueue`; a worker runs
it: ``registry.queue``); the management command imports at once (:func:`import_file`). Either
way the file is stored first (``ImportBatch``), read once to check it can be read at all (encoding,
columns, well-formedness, size: otherwise it is refused and nothing is imported), then row by row:
each row is validated field by field; a row with a problem is rejected (``ImportRejection``: row,
field, value shown safely, reason) and never touches stored data; a Syriusz id or PESEL seen
earlier in the same file is rejected as a duplicate of that row. Valid rows are applied in chunks,
each in its own transaction: the people of the chunk are fetched at once (office + Syriusz id),
new ones are created, changed ones updated, the others counted as unchanged — so a re-import never
duplicates and a failure never leaves half a row or half a chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting.registry import mappers
from okienko.contracting.registry import validation as v
from okienko.contracting.registry.models import IMPORTED_FIELDS, ImportBatch, ImportRejection, RegisteredPerson
from okienko.core import audit, clock, uploads
from okienko.core.actors import Actor

CHUNK = 2000
MAX_BYTES = 200 * 1024 * 1024  # the management command's limit; the desk's upload is smaller
CONTENT_TYPES = {"csv": "text/csv", "xml": "application/xml"}


class ImportRefused(Exception):
    """Nothing was stored: the file is empty, too large, of an unknown format or infected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Pending:
    row: int
    registry_id: str
    fields: dict[str, Any]


def import_file(
    *, office: Organisation, data: bytes, name: str, mapper_name: str, actor: Actor, max_bytes: int = MAX_BYTES
) -> ImportBatch:
    """Import ``data`` (a file called ``name``) for ``office`` with the mapper ``mapper_name`` now,
    in this process (the management command, the demo; the desk queues it: :func:`enqueue`).

    Raises ``ImportRefused`` when nothing could be stored; otherwise returns the batch, whose
    ``status`` says whether it was imported or why the file was refused."""
    mapper = _checked(mapper_name, len(data), max_bytes)
    verdict = uploads.scanner()(data)
    if not verdict.clean:
        raise ImportRefused(_("The file did not pass the virus check."))
    batch = _store(office, data, name, mapper_name, actor)
    try:
        outcome = process(batch, mapper, data, actor=actor)
    except Exception:
        batch.status = ImportBatch.State.FAILED
        batch.finished_at = clock.now()
        batch.save(update_fields=["status", "finished_at", *COUNTERS])
        raise
    batch.status = outcome.status
    batch.refusal = outcome.refusal
    batch.finished_at = clock.now()
    batch.save(update_fields=["status", "refusal", "finished_at", "total_rows", *COUNTERS])
    return batch


def _checked(mapper_name: str, size: int | None, max_bytes: int) -> mappers.Mapper:
    mapper = mappers.get(mapper_name)
    if mapper is None:
        raise ImportRefused(_("Unknown export format."))
    if not size:
        raise ImportRefused(_("The file is empty."))
    if size > max_bytes:
        raise ImportRefused(uploads.too_large_message(max_bytes))
    return mapper


def enqueue(
    *,
    office: Organisation,
    upload: File[bytes],
    name: str,
    mapper_name: str,
    actor: Actor,
    max_bytes: int,
    language: str = "",
) -> ImportBatch:
    """Store ``upload`` (an uploaded file, read in chunks: a large one stays on disk) as a batch
    ``queued`` for the work queue and wake a worker after the commit. Raises ``ImportRefused``
    when nothing could be stored; the virus check and the import itself are the worker's."""
    _checked(mapper_name, upload.size, max_bytes)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size > max_bytes:
        raise ImportRefused(uploads.too_large_message(max_bytes))
    upload.seek(0)
    now = clock.now()
    batch = ImportBatch(
        office=office,
        mapper=mapper_name,
        created_by=user_of(actor),
        created_at=now,
        status=ImportBatch.State.QUEUED,
        language=language[:10],
    )
    _describe(batch, name, mapper_name, size, digest.hexdigest())
    batch.file.save("upload", upload, save=False)
    with transaction.atomic():
        batch.save()
        audit.record(
            "contracting_registry.import_queued",
            actor=actor,
            obj=batch,
            organisation_id=office.pk,
            data={"file": batch.original_name, "size": size, "sha256": batch.sha256, "format": mapper_name},
        )
        from okienko.contracting.registry import queue

        transaction.on_commit(queue.kick)
    return batch


def _describe(batch: ImportBatch, name: str, mapper_name: str, size: int, sha256: str) -> None:
    batch.content_type = CONTENT_TYPES.get(mapper_name, "application/octet-stream")
    batch.size, batch.sha256 = size, sha256
    shown = uploads.display_name(name, batch.content_type)
    stem = uploads.safe_name(shown).rsplit(".", 1)[0]
    batch.original_name = f"{stem}.{mapper_name}" if mapper_name in CONTENT_TYPES else shown


@dataclass(frozen=True)
class Outcome:
    """How processing a batch ended: imported (``done``) or the file refused, with the reason."""

    status: str
    refusal: str = ""


COUNTERS = ("rows", "created", "updated", "unchanged", "rejected")


def process(
    batch: ImportBatch,
    mapper: mappers.Mapper,
    data: bytes,
    *,
    actor: Actor,
    on_chunk: Callable[[], None] | None = None,
) -> Outcome:
    """Read ``data`` once to check it (a file that cannot be read is refused, nothing imported),
    then import it chunk by chunk (``on_chunk`` runs inside each chunk's transaction). Counters and
    rejections start from nothing, so a batch processed again (a worker died) counts afresh and
    re-applies its rows as updates, never duplicates. Audited; the caller records the status."""
    office = batch.office
    try:
        total = sum(1 for _row in mapper.rows(data))
    except mappers.FileRefused as refused:
        audit.record(
            "contracting_registry.import_refused",
            actor=actor,
            obj=batch,
            organisation_id=office.pk,
            data={"reason": refused.code, "file": batch.original_name},
        )
        return Outcome(ImportBatch.State.REFUSED, refused.message)
    batch.rejections.all().delete()
    for name in COUNTERS:
        setattr(batch, name, 0)
    batch.total_rows = total
    ImportBatch.objects.filter(pk=batch.pk).update(total_rows=total, **dict.fromkeys(COUNTERS, 0))
    _apply(batch, mapper, data, on_chunk)
    audit.record(
        "contracting_registry.imported",
        actor=actor,
        obj=batch,
        organisation_id=office.pk,
        data={
            "file": batch.original_name,
            "rows": batch.rows,
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "rejected": batch.rejected,
            "expected_rows": total,
        },
    )
    return Outcome(ImportBatch.State.DONE)


def _store(office: Organisation, data: bytes, name: str, mapper_name: str, actor: Actor) -> ImportBatch:
    now = clock.now()
    batch = ImportBatch(
        office=office,
        mapper=mapper_name,
        created_by=user_of(actor),
        created_at=now,
        started_at=now,
        status=ImportBatch.State.RUNNING,
    )
    content_type = CONTENT_TYPES.get(mapper_name, "application/octet-stream")
    checked = uploads.CheckedFile(content_type, len(data), hashlib.sha256(data).hexdigest())
    batch.store(data, checked, sent_name=name, save=False)
    stem = uploads.safe_name(batch.original_name).rsplit(".", 1)[0]
    batch.original_name = f"{stem}.{mapper_name}" if mapper_name in CONTENT_TYPES else batch.original_name
    batch.save()
    return batch


def _apply(batch: ImportBatch, mapper: mappers.Mapper, data: bytes, on_chunk: Callable[[], None] | None = None) -> None:
    seen_ids: dict[str, int] = {}
    seen_pesels: dict[str, int] = {}
    pending: list[_Pending] = []
    rejections: list[ImportRejection] = []
    rejected_rows = 0
    for number, raw in mapper.rows(data):
        batch.rows += 1
        problems = _problems_of(mapper, raw, number, seen_ids, seen_pesels, pending)
        if problems:
            rejected_rows += 1
            registry_id = v.shown(raw.get("id_syriusz", "") if isinstance(raw.get("id_syriusz"), str) else "", 40)
            rejections.extend(
                ImportRejection(
                    batch=batch,
                    row=number,
                    registry_id=registry_id,
                    field=p.field[:60],
                    value=p.value[:120],
                    code=p.code[:40],
                    reason=p.reason[:300],
                )
                for p in problems
            )
        if len(pending) >= CHUNK or len(rejections) >= CHUNK:
            _flush(batch, pending, rejections, rejected_rows, on_chunk)
            pending, rejections, rejected_rows = [], [], 0
    _flush(batch, pending, rejections, rejected_rows, on_chunk)


def _problems_of(
    mapper: mappers.Mapper,
    raw: mappers.Raw,
    number: int,
    seen_ids: dict[str, int],
    seen_pesels: dict[str, int],
    pending: list[_Pending],
) -> list[v.Problem]:
    try:
        fields = mapper.map(raw)
    except v.RowProblems as row:
        return row.problems
    registry_id = fields.pop("registry_id")
    first = seen_ids.get(registry_id)
    if first is not None:
        reason = _("Duplicate of row %(row)d (same Syriusz id).") % {"row": first}
        return [v.Problem("id_syriusz", v.shown(registry_id), "duplicate", reason)]
    pesel = fields.get("pesel")
    if pesel:
        first = seen_pesels.get(pesel)
        if first is not None:
            reason = _("Duplicate of row %(row)d (same PESEL).") % {"row": first}
            return [v.Problem("pesel", pesel, "duplicate", reason)]
        seen_pesels[pesel] = number
    seen_ids[registry_id] = number
    pending.append(_Pending(number, registry_id, fields))
    return []


def _flush(
    batch: ImportBatch,
    pending: list[_Pending],
    rejections: list[ImportRejection],
    rejected_rows: int,
    on_chunk: Callable[[], None] | None = None,
) -> None:
    """Apply one chunk in one transaction (the people and the rejections of its rows)."""
    with transaction.atomic():
        if on_chunk is not None:
            on_chunk()  # e.g. the worker renews its claim (or gives up: the chunk is rolled back)
        existing = {
            person.registry_id: person
            for person in RegisteredPerson.objects.filter(
                office=batch.office, registry_id__in=[p.registry_id for p in pending]
            )
        }
        new: list[RegisteredPerson] = []
        changed: list[RegisteredPerson] = []
        unchanged = 0
        now = clock.now()
        for item in pending:
            person = existing.get(item.registry_id)
            if person is None:
                new.append(
                    RegisteredPerson(
                        office=batch.office,
                        registry_id=item.registry_id,
                        updated_from_batch=batch,
                        created_at=now,
                        updated_at=now,
                        **_defaults(item.fields),
                    )
                )
                continue
            wanted = _defaults(item.fields)
            differences = [name for name in IMPORTED_FIELDS if getattr(person, name) != wanted[name]]
            if not differences:
                unchanged += 1
                continue
            for name in differences:
                setattr(person, name, wanted[name])
            person.updated_from_batch = batch
            person.updated_at = now
            changed.append(person)
        RegisteredPerson.objects.bulk_create(new, batch_size=1000)
        if changed:
            RegisteredPerson.objects.bulk_update(
                changed, [*IMPORTED_FIELDS, "updated_from_batch", "updated_at"], batch_size=1000
            )
        ImportRejection.objects.bulk_create(rejections, batch_size=1000)
        batch.created += len(new)
        batch.updated += len(changed)
        batch.unchanged += unchanged
        batch.rejected += rejected_rows
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows=batch.rows,
            created=batch.created,
            updated=batch.updated,
            unchanged=batch.unchanged,
            rejected=batch.rejected,
        )


_EMPTY: dict[str, Any] = {
    "pesel": None,
    "document": "",
    "gender": "",
    "email": "",
    "phone": "",
    "street": "",
    "postcode": "",
    "city": "",
    "teryt": "",
    "education_level": "",
    "occupations": [],
    "work_history": [],
    "qualifications": [],
    "past_activation": [],
    "assistance_profile": "",
}


def _defaults(fields: dict[str, Any]) -> dict[str, Any]:
    merged = {name: (list(value) if isinstance(value, list) else value) for name, value in _EMPTY.items()}
    merged.update(fields)
    return {name: merged[name] for name in IMPORTED_FIELDS}


def rejected_rows(batch: ImportBatch) -> Iterable[ImportRejection]:
    return batch.rejections.order_by("row", "pk").iterator(chunk_size=2000)

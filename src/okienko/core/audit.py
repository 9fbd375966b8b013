"""The append-only, hash-chained audit log used by every action.

``record_change`` is called inside the action's transaction; the chain head row is locked so
entries are appended strictly in order on PostgreSQL as on SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from okienko.core import clock, context
from okienko.core.actors import Actor
from okienko.core.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64
SECRET_FIELDS = frozenset({"password", "pin", "pin_hash", "secret", "key", "token"})


# Entries waiting for the end of the enclosing ``batch()`` (None: no batch is open).
_pending: ContextVar[list[AuditRecord] | None] = ContextVar("okienko_audit_batch", default=None)


def _plain(value: Any) -> Any:
    """Return ``value`` as plain JSON data (dates, decimals and UUIDs become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_digest(fields: Mapping[str, Any]) -> str:
    """The one hashing rule of every hash chain (this audit log, Kontraktor's access log): sha256
    over the canonical JSON (sorted keys, no spaces) of the entry's fields, the previous hash
    among them."""
    return _digest(fields)


def _hashed_fields(entry: AuditRecord) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "id": entry.id,
        "at": at,
        "kind": entry.kind,
        "action": entry.action,
        "actor": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "organisation": entry.organisation_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "channel": entry.channel,
        "ip": entry.ip,
        "request_id": entry.request_id,
        "changes": entry.changes,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the current values of ``fields`` (foreign keys by id) for a later ``diff``."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    plain: dict[str, Any] = _plain(values)
    return plain


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose value changed; secrets are masked."""
    changed: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = ["***", "***"] if name in SECRET_FIELDS else [old, new]
    plain: dict[str, list[Any]] = _plain(changed)
    return plain


@dataclass(frozen=True)
class ObjectRef:
    type: str
    id: str
    repr: str


def ref(obj: models.Model | None) -> ObjectRef:
    if obj is None:
        return ObjectRef("", "", "")
    return ObjectRef(obj._meta.label_lower, str(obj.pk), str(obj)[:200])


def record(
    action: str,
    *,
    actor: Actor,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    kind: str = AuditRecord.Kind.CHANGE,
    object_ref: ObjectRef | None = None,
) -> AuditRecord:
    """Append one entry to the audit log, in the caller's transaction (or its own)."""
    ctx = context.current()
    target = object_ref or ref(obj)
    staff = actor if actor is not None and actor.is_authenticated else None
    entry = AuditRecord(
        kind=kind,
        action=action,
        actor_id=staff.pk if staff is not None else None,
        actor_repr=(staff.get_username() if staff is not None else str(actor or "system"))[:200],
        organisation_id=organisation_id,
        object_type=target.type,
        object_id=target.id,
        object_repr=target.repr,
        channel=ctx.channel,
        ip=ctx.ip,
        request_id=ctx.request_id,
        changes=_plain(dict(changes or {})),
        data=_plain(dict(data or {})),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)  # chained when the batch ends (its id is set then)
        return entry
    # No savepoint: an audit entry that cannot be written fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        _append([entry])
    return entry


def _append(entries: list[AuditRecord]) -> None:
    """Chain ``entries`` after the head and write them: the head row is locked from here to the
    commit, so this runs as late in the transaction as the caller can arrange (``batch``)."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    now = clock.now()
    for entry in entries:
        entry.id, entry.at, entry.prev_hash = head.last_id + 1, now, head.last_hash
        entry.hash = _digest(_hashed_fields(entry))
        head.last_id, head.last_hash = entry.id, entry.hash
    AuditRecord.objects.bulk_create(entries)
    head.save(update_fields=["last_id", "last_hash"])


@contextmanager
def batch() -> Iterator[None]:
    """Collect the entries recorded inside the block and chain them all at its end, in one
    transaction with the block: the chain head is then locked only for the last statements
    before the commit instead of from the first entry on (ADR 0002). Nested batches join the
    outermost one. Entries recorded in the block get their ``id`` when it ends."""
    if _pending.get() is not None:
        yield
        return
    pending: list[AuditRecord] = []
    with transaction.atomic():
        token = _pending.set(pending)
        try:
            yield
        finally:
            _pending.reset(token)
        if pending:
            _append(pending)


def record_access(
    actor: Actor, obj: models.Model, *, organisation_id: int | None = None, purpose: str = ""
) -> AuditRecord:
    """Log that ``actor`` looked at personal data in ``obj``."""
    return record(
        "personal_data.viewed",
        actor=actor,
        obj=obj,
        organisation_id=organisation_id,
        data={"purpose": purpose} if purpose else None,
        kind=AuditRecord.Kind.ACCESS,
    )


def record_denied(
    actor: Actor, obj: models.Model, *, organisation_id: int | None = None, purpose: str = ""
) -> AuditRecord:
    """Log a refused attempt to reach ``obj`` (answered as if it did not exist), as a security
    event named after its model: ``clients.access_denied``, ``cases.access_denied``…"""
    return record(
        f"{obj._meta.app_label}.access_denied",
        actor=actor,
        obj=obj,
        organisation_id=organisation_id,
        data={"purpose": purpose} if purpose else None,
        kind=AuditRecord.Kind.SECURITY,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    last_seen = 0
    while True:
        batch = list(AuditRecord.objects.filter(id__gt=last_seen).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.id != expected_id:
                return ChainReport(checked, expected_id, "missing entry")
            if entry.prev_hash != prev_hash:
                return ChainReport(checked, entry.id, "previous hash does not match")
            if _digest(_hashed_fields(entry)) != entry.hash:
                return ChainReport(checked, entry.id, "content does not match its hash")
            prev_hash = entry.hash
            expected_id += 1
            checked += 1
        last_seen = batch[-1].id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != prev_hash):
        return ChainReport(checked, expected_id, "entries after the last one were removed")
    return ChainReport(checked, None, "")


def history(obj: models.Model) -> models.QuerySet[AuditRecord]:
    """Return the audit entries of ``obj``, oldest first."""
    target = ref(obj)
    return AuditRecord.objects.filter(object_type=target.type, object_id=target.id).order_by("id")

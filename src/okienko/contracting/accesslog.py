"""The shared-data access log: append-only and hash-chained by the audit log's own rule
(``core.audit.chain_digest``; the head row is locked to order appends), so a changed, removed or
inserted entry is found by ``verify``. The database refuses UPDATE and DELETE (migration 0002).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting.models import AccessLog, AccessLogHead
from okienko.core import clock
from okienko.core.actors import Actor, name_of
from okienko.core.audit import GENESIS, chain_digest


@dataclass
class Entry:
    """What is written for one participant (``fields``: the field codes read or sent)."""

    action: str
    participant_ref: str = ""
    fields: list[str] = field(default_factory=list)
    purpose: str = ""
    request_uuid: str = ""
    message_id: str = ""
    outcome: str = AccessLog.Outcome.GRANTED
    reason: str = ""


def _hashed_fields(row: AccessLog) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": row.actor_id,
        "actor_repr": row.actor_repr,
        "institution": row.institution_id,
        "institution_repr": row.institution_repr,
        "participant_ref": row.participant_ref,
        "fields": sorted(row.fields),
        "purpose": row.purpose,
        "request": row.request_uuid,
        "message_id": row.message_id,
        "action": row.action,
        "outcome": row.outcome,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
    }


def append(entries: Iterable[Entry], *, actor: Actor, institution: Organisation | None) -> list[AccessLog]:
    """Chain and write ``entries`` (in the caller's transaction, or their own)."""
    user = user_of(actor)
    rows = [
        AccessLog(
            actor=user,
            actor_repr=name_of(actor)[:200],
            institution_id=institution.pk if institution is not None else None,
            institution_repr=str(institution or "")[:200],
            participant_ref=e.participant_ref,
            fields=sorted(set(e.fields)),
            purpose=e.purpose,
            request_uuid=e.request_uuid,
            message_id=e.message_id,
            action=e.action,
            outcome=e.outcome,
            reason=e.reason[:300],
        )
        for e in entries
    ]
    if not rows:
        return rows
    with transaction.atomic(savepoint=False):
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        now = clock.now()
        for row in rows:
            row.id, row.at, row.prev_hash = head.last_id + 1, now, head.last_hash
            row.hash = chain_digest(_hashed_fields(row))
            head.last_id, head.last_hash = row.id, row.hash
        AccessLog.objects.bulk_create(rows)
        head.save(update_fields=["last_id", "last_hash"])
    return rows


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(batch_size: int = 2000) -> ChainReport:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    prev_hash, expected_id, checked, last_seen = GENESIS, 1, 0, 0
    while True:
        batch = list(AccessLog.objects.filter(id__gt=last_seen).order_by("id")[:batch_size])
        if not batch:
            break
        for row in batch:
            if row.id != expected_id:
                return ChainReport(checked, expected_id, "missing entry")
            if row.prev_hash != prev_hash:
                return ChainReport(checked, row.id, "previous hash does not match")
            if chain_digest(_hashed_fields(row)) != row.hash:
                return ChainReport(checked, row.id, "content does not match its hash")
            prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
        last_seen = batch[-1].id
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != prev_hash):
        return ChainReport(checked, expected_id, "entries after the last one were removed")
    return ChainReport(checked, None, "")

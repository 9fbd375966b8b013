"""Timeline entries written for other apps (messages sent to the client, for instance): internal,
never public, never a change of the case itself (no version bump, no event)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from okienko.cases.models import CaseEvent
from okienko.core import audit, clock


@dataclass(frozen=True)
class Entry:
    case_id: int
    kind: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


def add_entries(entries: Iterable[Entry], *, actor_repr: str = "system") -> int:
    """Write ``entries`` (in one statement); return how many."""
    now = clock.now()
    rows = [
        CaseEvent(
            case_id=entry.case_id,
            at=now,
            kind=entry.kind,
            actor=None,
            actor_repr=actor_repr[:200],
            summary=entry.summary[:500],
            data=audit._plain(entry.data),
            is_public=False,
        )
        for entry in entries
    ]
    CaseEvent.objects.bulk_create(rows)
    return len(rows)

"""Process-local memo with a time-to-live, for hot read paths (API keys, jurisdictions, services).

Each entry lives ``ttl`` seconds in this process only; ``clear()`` forgets everything at once
(called when the cached rows change in this process, e.g. a token revoked). Other processes see
a change within ``ttl`` — callers choose ``ttl`` so that delay is acceptable and document it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

_ALL: list[Memo[Any]] = []


class Memo(Generic[V]):
    def __init__(self, ttl: float, max_entries: int = 1024) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + self.ttl, value)
        return value

    def peek(self, key: Hashable) -> V | None:
        """The value if it is remembered and fresh, without loading it."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Forget every memo of this process (tests; after bulk changes)."""
    for memo in _ALL:
        memo.clear()


def forget_on_save(*models: type, uid: str) -> None:
    """Forget every memo of this process whenever a row of ``models`` is saved or deleted here."""
    from django.db.models.signals import post_delete, post_save

    def forget(**_kwargs: object) -> None:
        clear_all()

    for model in models:
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"{uid}-delete-{model.__name__}")

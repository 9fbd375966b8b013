"""A per-process memo in front of the shared cache for small, read-mostly search data
(synonyms, index statistics) that every query needs: reading them from the shared cache
costs a round trip per query (a database query with the embedded profile's database cache).

Entries live ``LOCAL_TTL`` seconds; the process that changes the data forgets its own entry at
once (``forget``), other processes see the change within ``LOCAL_TTL`` (ADR 0025)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")

LOCAL_TTL = 30.0
_entries: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def get_or_compute(key: str, compute: Callable[[], T], *, shared_timeout: int = 300) -> T:
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        value: T = entry[1]
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, shared_timeout)
    with _lock:
        _entries[key] = (now + LOCAL_TTL, value)
    return value


def forget(key: str) -> None:
    with _lock:
        _entries.pop(key, None)
    cache.delete(key)


def clear() -> None:
    """Forget every process-local entry (tests: each test has its own database content)."""
    with _lock:
        _entries.clear()

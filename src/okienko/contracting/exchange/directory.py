"""Who is who, cached: partners, their signing keys and the local institutions are read for every
message and change rarely, so each process keeps them for ``TTL`` seconds (``core.memo``). A change
saved through the ORM in this process (a partner confirmed or suspended, a key added, revoked or
rotated) drops the cache at once; another process sees it within ``TTL`` seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from okienko.core import memo

TTL = 2.0
_entries: memo.Memo[Any] = memo.Memo(TTL, max_entries=10_000)


def forget() -> None:
    """Drop every cached entry (after a change the ORM's signals do not see, e.g. ``update()``)."""
    _entries.clear()


def cached(kind: str, key: str, load: Callable[[], Any]) -> Any:
    return _entries.get((kind, key), load)


def connect() -> None:
    from okienko.contracting.exchange.models import InstitutionKey, Partner, PartnerKey
    from okienko.contracting.models import InstitutionProfile

    memo.forget_on_save(Partner, PartnerKey, InstitutionKey, InstitutionProfile, uid="exchange-directory")

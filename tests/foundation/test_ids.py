from __future__ import annotations

import time
import uuid

import pytest

from okienko.core.ids import uuid7


def test_uuid7_has_version_7_and_the_rfc_variant() -> None:
    value = uuid7()
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"


def test_uuid7_orders_by_creation_time_and_is_unique() -> None:
    first = uuid7()
    time.sleep(0.002)
    later = [uuid7() for _ in range(1000)]
    assert all(first < v for v in later)
    assert len(set(later)) == 1000


def test_uuid7_carries_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after


def test_random_bytes_are_buffered_but_never_shared_after_a_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    from okienko.core import ids

    first = ids.random_bytes(16)
    assert len(first) == 16
    assert ids.random_bytes(16) != first
    left = bytes(ids._pool)
    monkeypatch.setattr(ids.os, "getpid", lambda: -1)  # as if this were a forked child
    child = ids.random_bytes(len(left))
    assert child != left  # the parent's buffered bytes were dropped, fresh ones read


def test_request_ids_are_time_ordered_hex() -> None:
    from okienko.core import context, ids

    a, b = ids.request_id(), context.RequestContext().request_id
    assert len(a) == len(b) == 32
    assert int(a, 16)
    assert uuid.UUID(b).version == 7

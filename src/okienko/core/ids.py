"""Time-ordered UUIDs (RFC 9562 version 7).

Random UUIDv4 keys scatter inserts over the whole B-tree of a large table, so every insert touches
a cold index page (and, after a checkpoint, writes a full page image to the WAL). Version-7 UUIDs
start with the millisecond timestamp, so new rows land on the right edge of the index. They stay
unguessable: 74 of the 128 bits are random.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

# Bytes from the kernel's CSPRNG, read 4 KiB at a time: one getrandom() call per ~400 ids instead
# of one per id (a system call per request showed up in the intake profile). Refilled after a fork,
# so two processes never hand out the same bytes.
_BLOCK = 4096
_pool = bytearray()
_pool_pid = 0
_pool_lock = threading.Lock()


def random_bytes(n: int) -> bytes:
    global _pool_pid
    with _pool_lock:
        if _pool_pid != os.getpid():
            _pool.clear()
            _pool_pid = os.getpid()
        if len(_pool) < n:
            _pool.extend(os.urandom(max(_BLOCK, n)))
        out = bytes(_pool[:n])
        del _pool[:n]
    return out


def uuid7() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(random_bytes(10), "big")  # 80 random bits, 74 of them used
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)  # rand_b: 62 bits
    return uuid.UUID(int=value)


def request_id() -> str:
    """A new request id: a UUIDv7 in hex (sortable by time in logs)."""
    return uuid7().hex


def parse_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one (for ids taken from URLs and forms)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None

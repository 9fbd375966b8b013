"""Time-ordered UUIDs (RFC 9562 version 7).

Random UUIDv4 keys scatter inserts over the whole B-tree of a large table, so every insert touches
a cold index page (and, after a checkpoint, writes a full page image to the WAL). Version-7 UUIDs
start with the millisecond timestamp, so new rows land on the right edge of the index. They stay
unguessable: 74 of the 128 bits are random.
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 random bits, 74 of them used
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)  # rand_b: 62 bits
    return uuid.UUID(int=value)

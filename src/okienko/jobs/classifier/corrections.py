"""Moderators' confirmations and corrections of suggested KZiS codes, kept for retraining.

One JSON object a line in ``<VAR_DIR>/kzis-corrections.jsonl``::

    {"at": "2026-12-06T07:00:00+00:00", "title": "...", "description": "...",
     "suggested": ["833202", "833201"], "chosen": "833202", "model": "<model version>"}

``tools/train_kzis.py --extra var/kzis-corrections.jsonl`` trains on them besides the hand-coded
ads (the last line for the same text wins). The file holds offer text as the employer wrote it,
which can name a contact person: it is kept with the installation's other data in VAR_DIR and
goes nowhere by itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILENAME = "kzis-corrections.jsonl"
MAX_TEXT = 20_000
_CODE = re.compile(r"\d{6}")


def default_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / FILENAME


def record_correction(
    title: str,
    description: str,
    suggested: Sequence[str],
    chosen: str,
    *,
    model_version: str = "",
    path: Path | None = None,
) -> Path:
    """Append the moderator's choice (``chosen`` equal to ``suggested[0]`` is a confirmation).
    Raises ValueError for a code that is not 6 digits. Safe across threads and processes: one
    write of one line under an exclusive lock."""
    if not isinstance(chosen, str) or not _CODE.fullmatch(chosen):
        raise ValueError("chosen must be a 6-digit KZiS code")
    suggested = [str(code) for code in suggested]
    if not all(_CODE.fullmatch(code) for code in suggested):
        raise ValueError("suggested must be 6-digit KZiS codes")
    if not str(title).strip():
        raise ValueError("the offer's title is empty")
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "title": str(title)[:MAX_TEXT],
        "description": str(description or "")[:MAX_TEXT],
        "suggested": suggested,
        "chosen": chosen,
        "model": model_version,
    }
    target = default_path() if path is None else Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
    finally:
        os.close(fd)  # closing releases the lock
    return target


def read_corrections(path: Path) -> Iterator[dict[str, Any]]:
    """The valid records of a corrections file (a damaged line is skipped, not fatal)."""
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(record, dict)
                and isinstance(record.get("title"), str)
                and isinstance(record.get("chosen"), str)
                and _CODE.fullmatch(record["chosen"])
            ):
                yield record

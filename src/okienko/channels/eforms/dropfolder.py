"""The drop folder: a sending system (or a person) writes each submission as one ``.xml`` file into
``var/eforms/inbox/`` (``OKIENKO_EFORMS_INBOX``); the beat task and ``manage.py eforms_intake``
take every file once.

A file is claimed by renaming it into ``processing/`` (atomic: two workers never take the same
file), handed to the intake, then moved to ``processed/`` (its bytes are stored in the database
too). When the intake itself fails (the database is down) the file goes back to the inbox and is
tried again on the next round: nothing dropped is lost.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from okienko.channels.eforms import intake
from okienko.channels.eforms.models import EFormSubmission

log = logging.getLogger(__name__)


@dataclass
class Round:
    taken: int = 0
    accepted: int = 0
    rejected: int = 0
    quarantined: int = 0
    duplicates: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "taken": self.taken,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "failed": len(self.failed),
        }


def inbox() -> Path:
    configured = str(getattr(settings, "OKIENKO_EFORMS_INBOX", "") or "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "eforms" / "inbox"


def _folders() -> tuple[Path, Path, Path]:
    base = inbox()
    processing, processed = base.parent / "processing", base.parent / "processed"
    for folder in (base, processing, processed):
        folder.mkdir(parents=True, exist_ok=True)
    return base, processing, processed


def _read(path: Path) -> bytes:
    """At most one byte more than the intake accepts (it then rejects the file as too large)."""
    with path.open("rb") as handle:
        return handle.read(intake.max_bytes() + 1)


def process_inbox(*, limit: int = 200) -> Round:
    """Take up to ``limit`` files from the inbox, oldest first."""
    base, processing, processed = _folders()
    result = Round()
    candidates = sorted(
        (p for p in base.iterdir() if p.suffix.lower() == ".xml" and p.is_file() and not p.is_symlink()),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    for path in candidates[:limit]:
        claimed = processing / f"{os.getpid()}-{path.name}"
        try:
            path.rename(claimed)
        except OSError:
            continue  # taken by another worker meanwhile
        result.taken += 1
        try:
            submission, new = intake.receive(_read(claimed), transport="folder", source_name=path.name)
        except Exception:
            log.exception("e-form intake failed; the file goes back to the inbox")
            claimed.rename(path)
            result.failed.append(path.name)
            continue
        claimed.rename(processed / f"{submission.uuid.hex}-{path.name}"[:240])
        if not new:
            result.duplicates += 1
        elif submission.status == EFormSubmission.Status.ACCEPTED:
            result.accepted += 1
        elif submission.status == EFormSubmission.Status.REJECTED:
            result.rejected += 1
        else:
            result.quarantined += 1
    return result

"""Consistent copies of the embedded SQLite database (PostgreSQL uses pg_dump/pg_restore)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def check_backup(path: Path) -> None:
    """Raise BackupError unless ``path`` is an intact Okienko SQLite database."""
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")
    if "core_auditrecord" not in tables:
        raise BackupError(f"{path} is not an Okienko database (no audit log table)")


def copy_database(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API: consistent even while the server writes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()

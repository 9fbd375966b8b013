"""Online backup of the embedded SQLite database (PostgreSQL: use pg_dump, see README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from okienko.core import clock
from okienko.core.backup import BackupError, check_backup, copy_database


class Command(BaseCommand):
    help = "Write a consistent copy of the embedded SQLite database into var/backups/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=None, help="Target file (default: var/backups/okienko-<time>.sqlite3)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("backup_db covers the embedded SQLite database; for PostgreSQL use pg_dump -Fc.")
        source = Path(str(settings.DATABASES["default"]["NAME"]))
        default = Path(settings.VAR_DIR) / "backups" / f"okienko-{clock.local_now():%Y%m%d-%H%M%S}.sqlite3"
        target = Path(options["output"]) if options["output"] else default
        copy_database(source, target)
        try:
            check_backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"backup written: {target}"))

"""Restore the embedded SQLite database from a backup made by backup_db."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from okienko.core.backup import BackupError, check_backup, copy_database


class Command(BaseCommand):
    help = "Replace the embedded SQLite database with a backup (stop the server first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="A file written by backup_db")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("restore_db covers the embedded SQLite database; for PostgreSQL use pg_restore.")
        backup = Path(options["backup"])
        try:
            check_backup(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        connection.close()
        target = Path(str(settings.DATABASES["default"]["NAME"]))
        copy_database(backup, target)
        self.stdout.write(self.style.SUCCESS(f"restored {target} from {backup}"))

"""Recompute the report rollups from the cases and contacts: all days, or from ``--since YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.reports import rollups


class Command(BaseCommand):
    help = "Recompute the report rollups from the cases and contacts (all days, or from --since)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="", help="first local day to recompute, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since must be YYYY-MM-DD, got {options['since']!r}") from exc
        count = rollups.rebuild_all(since=since)
        self.stdout.write(f"reports: {count} rollup rows")

"""Detect and record hot spots (the early warning of the spatial reports, issue 20 item 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.core import context
from okienko.reports import hotspots


class Command(BaseCommand):
    help = "Flag the grid cells whose cases of the last seven days are far above their usual weekly rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default="", help="the end of the seven days (ISO date-time; default now)")
        parser.add_argument("--dry-run", action="store_true", help="list the hot spots without recording them")

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at must be an ISO date-time, got {options['at']!r}") from exc
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
        flags = hotspots.detect(at)
        for flag in flags:
            self.stdout.write(
                f"office {flag.organisation_id} service {flag.service_id} at ({flag.latitude:.3f}, "
                f"{flag.longitude:.3f}): {flag.count} cases, usually {flag.expected:.2f} a week, p={flag.p_value:.2g}"
            )
        if options["dry_run"]:
            self.stdout.write(f"reports: {len(flags)} hot spots (not recorded)")
            return
        with context.channel("scheduler"):
            created = hotspots.record(flags, at)
        self.stdout.write(f"reports: {len(flags)} hot spots, {len(created)} new")

"""Import an exchange file from a partner and print the report (line, message, type, outcome,
reason)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.contracting.exchange import envelope, transport_file


class Command(BaseCommand):
    help = "Import a JSON Lines exchange file from a partner institution and print what became of each line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the exchange file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        if path.stat().st_size > envelope.max_bytes():
            raise CommandError(f"{path} is larger than OKIENKO_EXCHANGE_MAX_BYTES")
        report = transport_file.import_file(path.read_bytes(), name=path.name)
        counts = ", ".join(f"{outcome}: {n}" for outcome, n in report.counts.items())
        self.stdout.write(f"{path.name}: {counts}")
        for line in report.lines:
            reason = f"{line.reason} — {line.text}" if line.reason else ""
            self.stdout.write(
                f"{line.line:>6}  {line.message_id or '-':36}  {line.type or '-':22}  {line.outcome:9}  {reason}"
            )

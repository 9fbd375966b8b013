"""Write the verified published offers in CBOP's structure (JSON) to a file or stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.accounts.models import Organisation
from okienko.jobs import export


class Command(BaseCommand):
    help = "Export verified published job offers in CBOP's structure (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", default="", help="Code of one county office (default: all).")
        parser.add_argument("--output", default="-", help="File to write (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        offices = Organisation.objects.filter(code=options["office"]) if options["office"] else None
        offers = export.exportable(offices)
        if options["output"] == "-":
            for piece in export.iter_json(offers):
                self.stdout.write(piece, ending="")
            return
        with open(options["output"], "w", encoding="utf-8") as handle:
            for piece in export.iter_json(offers):
                handle.write(piece)
        self.stderr.write(f"{offers.count()} offers written to {options['output']}")

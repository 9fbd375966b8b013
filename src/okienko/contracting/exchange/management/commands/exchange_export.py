"""Write the exchange file for a partner: every message not yet acknowledged, freshly sealed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.contracting.exchange import transport_file
from okienko.contracting.exchange.models import Partner


class Command(BaseCommand):
    help = "Export the messages waiting for a partner institution as a JSON Lines exchange file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", required=True, help="the partner's institution id, e.g. PL-NIP-5422859599")
        parser.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        partner = Partner.objects.filter(institution_id=options["partner"]).first()
        if partner is None:
            raise CommandError(f"no partner {options['partner']}")
        data = transport_file.export_file(partner)
        Path(options["out"]).write_bytes(data)
        count = data.count(b"\n") - 1
        self.stdout.write(f"{count} message(s) for {partner.institution_id} written to {options['out']}")

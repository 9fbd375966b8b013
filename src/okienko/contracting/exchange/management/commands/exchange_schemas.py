"""Write the JSON Schema of every message type and of the envelope (docs/contracting/schemas)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.contracting.exchange import catalogue


def documents() -> dict[str, dict[str, Any]]:
    return {code: catalogue.schema_of(code) for code in [*sorted(catalogue.TYPES), "envelope"]}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the exchange's JSON Schemas (one file per message type, and the envelope)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/contracting/schemas", help="the folder to write")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        for code, schema in documents().items():
            (folder / f"{code}.json").write_text(render(schema), encoding="utf-8")
        self.stdout.write(f"{len(documents())} schemas written to {folder}")

"""Import an organisation's area boundaries (city districts, osiedla, gminy) from a GeoJSON file
for the desk map's area level (ADR 0071)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.models import Organisation
from okienko.core import context
from okienko.reports import areas
from okienko.reports.area_models import AreaKind


class Command(BaseCommand):
    help = "Import area boundaries (a GeoJSON FeatureCollection in WGS84) for an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the GeoJSON file")
        parser.add_argument("--organisation", required=True, help="the organisation's code")
        parser.add_argument("--kind", required=True, choices=AreaKind.values, help="the kind of the areas")
        parser.add_argument("--name-property", default="", help="the property holding the names (default: found)")
        parser.add_argument("--code-property", default="", help="the property holding the codes (default: found)")
        parser.add_argument("--replace", action="store_true", help="remove this kind's areas missing from the file")
        parser.add_argument("--dry-run", action="store_true", help="check the file, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with the code {options['organisation']!r}")
        path = Path(options["file"])
        try:
            if path.stat().st_size > areas.MAX_BYTES:
                raise CommandError(f"the file is larger than {areas.MAX_BYTES // (1024 * 1024)} MB")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            with context.channel("cli"):
                outcome = areas.import_areas(
                    data,
                    organisation=organisation,
                    kind=options["kind"],
                    actor=None,
                    source_name=path.name,
                    name_property=options["name_property"],
                    code_property=options["code_property"],
                    replace=options["replace"],
                    dry_run=options["dry_run"],
                )
        except areas.AreaImportRefused as refused:
            raise CommandError(f"{refused.reason}: {refused.message}") from refused
        counts = outcome.counts()
        self.stdout.write(
            f"name property: {counts['name_property']}, code property: {counts['code_property'] or '(name as a slug)'}"
        )
        self.stdout.write(
            ", ".join(
                f"{key}: {counts[key]}"
                for key in ("features", "created", "updated", "unchanged", "removed", "kept", "rejected")
            )
            + (" (dry run: nothing saved)" if outcome.dry_run else "")
        )
        for rejection in outcome.rejected:
            self.stdout.write(f"{rejection.index}\t{rejection.field}\t{rejection.reason}")

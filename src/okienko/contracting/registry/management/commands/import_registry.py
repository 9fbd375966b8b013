"""``okienko import_registry <office code> <file> [--mapper csv|xml]``: import a Syriusz export
into an office's registry and print the report (counts and the rejected rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.models import Organisation
from okienko.contracting.registry import importer, mappers
from okienko.contracting.registry.models import ImportBatch
from okienko.core import context


class Command(BaseCommand):
    help = "Import a Syriusz export (CSV or XML) into a labour office's registry and print the report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("office", help="The office's code, e.g. pup-bialystok.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapper", default="", help="csv or xml (default: from the file's extension).")
        parser.add_argument("--limit", type=int, default=50, help="Rejected rows to print (default 50).")

    def handle(self, *args: Any, **options: Any) -> None:
        office = Organisation.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"No organisation with the code {options['office']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        mapper = options["mapper"] or ("xml" if path.suffix.lower() == ".xml" else "csv")
        if mappers.get(mapper) is None:
            raise CommandError(f"Unknown mapper {mapper!r}; known: {', '.join(mappers.available())}.")
        try:
            with context.channel("import"):
                batch = importer.import_file(
                    office=office, data=path.read_bytes(), name=path.name, mapper_name=mapper, actor=None
                )
        except importer.ImportRefused as refused:
            raise CommandError(refused.message) from None
        self.report(batch, options["limit"])

    def report(self, batch: ImportBatch, limit: int) -> None:
        write = self.stdout.write
        write(f"{batch.original_name} → {batch.office.code} ({batch.mapper}): {batch.get_status_display()}")
        if batch.status == ImportBatch.State.REFUSED:
            write(f"  {batch.refusal}")
            return
        elapsed = (
            (batch.finished_at - batch.started_at).total_seconds() if batch.finished_at and batch.started_at else 0
        )
        write(
            f"  rows {batch.rows}, created {batch.created}, updated {batch.updated}, "
            f"unchanged {batch.unchanged}, rejected {batch.rejected} ({elapsed:.1f} s)"
        )
        shown = 0
        for rejection in batch.rejections.order_by("row", "pk")[:limit]:
            write(f"  row {rejection.row} {rejection.field or '-'} [{rejection.value}]: {rejection.reason}")
            shown += 1
        more = batch.rejections.count() - shown
        if more > 0:
            write(f"  … and {more} more problems (see the batch on the desk or download the CSV)")

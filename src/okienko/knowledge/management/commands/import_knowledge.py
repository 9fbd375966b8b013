"""Import knowledge articles from CSV or Markdown files; prints the rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.models import Organisation
from okienko.knowledge import importing
from okienko.knowledge.models import Article


class Command(BaseCommand):
    help = "Import articles: *.csv (header row, see knowledge.importing.CSV_COLUMNS) or *.md (front matter)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--organisation", required=True, help="Owning organisation code (CSV rows may override).")
        parser.add_argument("--status", default=Article.Status.DRAFT, choices=Article.Status.values)
        parser.add_argument("--kind", default=Article.Kind.SERVICE_CARD, choices=Article.Kind.values, help="For .md")
        parser.add_argument("--audience", default=Article.Audience.PUBLIC, choices=Article.Audience.values)
        parser.add_argument("--attribution", default="", help="Source/licence note for .md files; {file} = name.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"unknown organisation {options['organisation']}")
        rejected = 0
        for path in options["files"]:
            if path.suffix.lower() == ".csv":
                with path.open(encoding="utf-8-sig", newline="") as stream:
                    report = importing.import_csv(
                        stream, actor=None, organisation=organisation, status=options["status"]
                    )
            elif path.suffix.lower() == ".md":
                report = importing.import_markdown(
                    [path],
                    actor=None,
                    organisation=organisation,
                    kind=options["kind"],
                    audience=options["audience"],
                    status=options["status"],
                    attribution=options["attribution"],
                )
            else:
                raise CommandError(f"{path}: only .csv and .md files can be imported")
            for line in report.lines():
                self.stdout.write(f"{path.name}: {line}")
            rejected += len(report.rejected)
        if rejected:
            self.stderr.write(f"{rejected} rows rejected")

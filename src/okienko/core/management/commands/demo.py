"""Load demo data: every app's ``demo.py`` (``VERSION`` and ``load(stdout)``), in app order."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from okienko.core import clock, context, edition
from okienko.core.models import DemoLoad


def demo_modules() -> list[tuple[str, ModuleType]]:
    if edition.is_agency():
        # Only the agency, its users and keys: no registry, no offices, no other modules.
        return [("contracting_agency", importlib.import_module("okienko.contracting.agency_demo"))]
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("okienko."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.demo":
                continue
            raise
        found.append((config.label, module))
    return found


class Command(BaseCommand):
    help = "Load the demo organisations, staff and data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Skip loaders whose current version already ran.")
        parser.add_argument("--only", nargs="*", default=None, help="App labels to load (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        said_where = False
        with context.channel("demo"):
            for label, module in demo_modules():
                if options["only"] and label not in options["only"]:
                    continue
                version = int(getattr(module, "VERSION", 1))
                done = DemoLoad.objects.filter(name=label, version__gte=version).exists()
                if options["once"] and done:
                    continue
                if not said_where:
                    self._say_where_the_data_is()
                    said_where = True
                self.stdout.write(f"demo: loading {label} (v{version})")
                with transaction.atomic():
                    module.load(stdout=self.stdout)
                    DemoLoad.objects.update_or_create(
                        name=label, defaults={"version": version, "loaded_at": clock.now()}
                    )

    def _say_where_the_data_is(self) -> None:
        data_dir = Path(settings.DATA_DIR)
        if not data_dir.is_dir() or not any(data_dir.iterdir()):
            self.stdout.write(
                f"demo: the shared real data sets are not at {data_dir} (OKIENKO_DATA_DIR): loading the smaller "
                "built-in set (reference data ships with the package; real 311 places and procedure guides are "
                "left out)"
            )

"""Re-analyse every knowledge article and rebuild the full-text index (FTS5 or PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from okienko.knowledge.search import rebuild


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index from the articles."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            count = rebuild()
        self.stdout.write(f"indexed {count} articles in {time.monotonic() - started:.1f} s")

"""Delete the ``Idempotency-Key`` records whose replay window has passed.

okienko purge_idempotency_keys      (also run hourly by Celery beat)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okienko.api.idempotency import keep_for, purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than the replay window (API_IDEMPOTENCY_KEEP_HOURS)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        hours = int(keep_for().total_seconds() // 3600)
        self.stdout.write(f"deleted {deleted} idempotency records older than {hours} h")

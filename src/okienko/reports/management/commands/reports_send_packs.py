"""Send the report packs that are due now (what Celery beat does every morning)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okienko.reports import scheduled


class Command(BaseCommand):
    help = "E-mail the weekly and monthly report packs that are due (each once per period)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reports: {scheduled.send_due()} report e-mails sent")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okienko.contracting.accesslog import verify


class Command(BaseCommand):
    help = "Verify Kontraktor's shared-data access log chain; exit non-zero at the first tampered or missing entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        if not report.ok:
            raise CommandError(
                f"access log chain broken at entry {report.broken_at}: {report.reason} "
                f"({report.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"access log chain intact: {report.checked} entries"))

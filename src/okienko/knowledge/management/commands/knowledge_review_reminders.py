"""Remind owners of articles past their review date (the scheduler runs it hourly, see conf.celery)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okienko.core import context
from okienko.knowledge.actions import remind_reviews_report


class Command(BaseCommand):
    help = (
        "E-mail the owners of published articles whose review date has come (once per article and "
        "review date) and emit knowledge.review_due; e-mails that fail are retried on the next run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with context.channel("scheduler"):
            report = remind_reviews_report()
        self.stdout.write(
            f"reminded owners of {len(report.reminded)} articles ({len(report.emailed)} by e-mail); "
            f"{len(report.failed)} e-mails failed and will be retried"
        )

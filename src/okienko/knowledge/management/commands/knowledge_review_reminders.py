"""Tell owners about articles past their review date (run daily, e.g. from the scheduler)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okienko.core import context
from okienko.knowledge.actions import remind_reviews


class Command(BaseCommand):
    help = "Emit knowledge.review_due for published articles whose review date has come (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.channel("scheduler"):
            reminded = remind_reviews()
        self.stdout.write(f"reminded owners of {len(reminded)} articles")

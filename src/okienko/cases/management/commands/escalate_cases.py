from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okienko.cases.escalation import escalate_cases


class Command(BaseCommand):
    help = "Send reminders and supervisor alerts for cases near or past their deadline."

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalate_cases()
        self.stdout.write(f"reminded={report.reminded} overdue={report.overdue} overdue_3x={report.overdue_3x}")

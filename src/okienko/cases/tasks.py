"""Periodic case work for Celery beat."""

from __future__ import annotations

from celery import shared_task

from okienko.cases.escalation import escalate_cases


@shared_task(name="okienko.cases.escalate_cases")
def escalate_cases_task() -> dict[str, int]:
    report = escalate_cases()
    return {"reminded": report.reminded, "overdue": report.overdue, "overdue_3x": report.overdue_3x}

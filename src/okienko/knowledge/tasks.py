"""Periodic knowledge-base work for Celery beat."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.knowledge.actions import remind_reviews_report


@shared_task(name="okienko.knowledge.remind_reviews")
def remind_reviews_task() -> dict[str, int]:
    """Idempotent: an article is reminded once per review date, so running it often is harmless
    and retries e-mails that failed on an earlier run."""
    with context.channel("scheduler"):
        report = remind_reviews_report()
    return {"reminded": len(report.reminded), "emailed": len(report.emailed), "failed": len(report.failed)}

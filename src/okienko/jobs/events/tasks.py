"""Periodic work on trainings and events for Celery beat."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.jobs.events import actions


@shared_task(name="okienko.jobs.events.archive_past", ignore_result=True)
def archive_past() -> dict[str, int]:
    """Archive trainings and events that ended more than a week ago (idempotent)."""
    with context.channel("scheduler"):
        return {"archived": actions.archive_past()}

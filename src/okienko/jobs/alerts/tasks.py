"""Periodic alert work for Celery beat."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.jobs.alerts import actions


@shared_task(name="okienko.jobs.alerts.send_digests", ignore_result=True)
def send_digests() -> dict[str, int]:
    """The daily digests of saved searches (idempotent: sent alerts are not sent again)."""
    with context.channel("scheduler"):
        return {"searches": actions.send_digests()}

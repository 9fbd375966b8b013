"""Periodic job-offer work for Celery beat (idempotent)."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.jobs import actions


@shared_task(name="okienko.jobs.expire_offers", ignore_result=True)
def expire_offers() -> dict[str, int]:
    """Expire published offers past their validity; archive long-closed ones."""
    with context.channel("scheduler"):
        return {"changed": actions.expire_offers()}

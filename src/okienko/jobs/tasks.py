"""Periodic job-offer work for Celery beat (idempotent)."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.jobs import actions, team


@shared_task(name="okienko.jobs.expire_offers", ignore_result=True)
def expire_offers() -> dict[str, int]:
    """Expire published offers past their validity; archive long-closed ones."""
    with context.channel("scheduler"):
        return {"changed": actions.expire_offers()}


@shared_task(name="okienko.jobs.purge_invitations", ignore_result=True)
def purge_invitations() -> dict[str, int]:
    """Delete employers' team invitations closed more than 90 days ago (``jobs.team``)."""
    with context.channel("scheduler"):
        return {"deleted": team.purge_old_invitations()}

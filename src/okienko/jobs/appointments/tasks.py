"""Periodic appointment work for Celery beat."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context
from okienko.jobs.appointments import actions


@shared_task(name="okienko.jobs.appointments.send_reminders", ignore_result=True)
def send_reminders() -> dict[str, int]:
    """Reminders of tomorrow's visits (from 16:00; idempotent: ``reminder_sent_at``)."""
    with context.channel("scheduler"):
        return {"reminders": actions.remind_due()}

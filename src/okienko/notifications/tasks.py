"""Celery tasks of the notification service."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context


@shared_task(name="okienko.notifications.send", ignore_result=True)
def send_notifications() -> int:
    """Send due notifications (bounded; also run periodically as a sweep for retries)."""
    from okienko.notifications import queue

    with context.channel("scheduler"):
        return queue.drain(rounds=50)

from __future__ import annotations

from celery import shared_task

from okienko.api.idempotency import purge_expired


@shared_task(name="okienko.api.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Delete expired Idempotency-Key records (scheduled hourly by beat)."""
    return purge_expired()

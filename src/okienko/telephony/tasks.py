from __future__ import annotations

from celery import shared_task

from okienko.telephony.recordings import purge_expired


@shared_task(name="okienko.telephony.purge_recordings", ignore_result=True)
def purge_recordings() -> int:
    """Delete call recordings past their retention date, file and row, each audited (daily by beat)."""
    return purge_expired()

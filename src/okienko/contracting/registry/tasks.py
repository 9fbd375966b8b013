"""Background work of the registry: queued imports and the retention of their files."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context


@shared_task(name="okienko.contracting_registry.import_batches", ignore_result=True)
def import_registry_batches() -> int:
    """Import queued Syriusz exports (woken by an upload; also run periodically as a sweep)."""
    from okienko.contracting.registry import queue

    return queue.drain()


@shared_task(name="okienko.contracting_registry.purge_import_files", ignore_result=True)
def purge_import_files() -> int:
    """Delete stored exports past ``OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS`` (daily by beat)."""
    from okienko.contracting.registry import retention

    with context.channel("scheduler"):
        return retention.purge_expired()

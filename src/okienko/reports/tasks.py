"""Periodic work of the reports app for Celery beat."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from okienko.core import clock, context
from okienko.reports import rollups

REPAIR_DAYS = 35


@shared_task(name="okienko.reports.repair_rollups", ignore_result=True)
def repair_rollups() -> int:
    """Recompute the last five weeks of rollups (a case moved to another service or office leaves
    its old bucket to this repair; the outbox keeps the rest current within seconds)."""
    with context.channel("scheduler"):
        return rollups.rebuild_all(since=rollups.local_day(clock.now()) - dt.timedelta(days=REPAIR_DAYS))


@shared_task(name="okienko.reports.send_packs", ignore_result=True)
def send_packs() -> int:
    """E-mail the weekly and monthly report packs that are due (each once per period)."""
    from okienko.reports import scheduled

    with context.channel("scheduler"):
        return scheduled.send_due()


@shared_task(name="okienko.reports.run_exports", ignore_result=True)
def run_exports() -> int:
    """Prepare the ad hoc exports that wait in the background (woken on request, and swept)."""
    from okienko.reports import adhoc_exports

    return adhoc_exports.drain()


@shared_task(name="okienko.reports.purge_exports", ignore_result=True)
def purge_exports() -> int:
    """Delete the files of ad hoc exports that have expired."""
    from okienko.reports import adhoc_exports

    with context.channel("scheduler"):
        return adhoc_exports.purge_expired()


@shared_task(name="okienko.reports.flush_rollups", ignore_result=True)
def flush_rollups() -> int:
    """Recompute the days still marked (the flush after each batch of deliveries does this within
    seconds; this catches a mark left by a worker that died before its flush)."""
    with context.channel("scheduler"):
        return rollups.flush()


@shared_task(name="okienko.reports.detect_hotspots", ignore_result=True)
def detect_hotspots() -> int:
    """Flag and record the hot spots of the last seven days (the early warning); the number of new ones."""
    from okienko.reports import hotspots

    with context.channel("scheduler"):
        return len(hotspots.run())


@shared_task(name="okienko.reports.refresh_calls", ignore_result=True)
def refresh_calls() -> int:
    """Recompute today's and yesterday's calls per queue from the telephony log (every 5 minutes)."""
    from okienko.reports import calls

    today = rollups.local_day(clock.now())
    with context.channel("scheduler"):
        return calls.recompute_day(today - dt.timedelta(days=1)) + calls.recompute_day(today)

"""Background work of the exchange: pushes to partners and messages waiting for earlier ones."""

from __future__ import annotations

from celery import shared_task

from okienko.core import context


@shared_task(name="okienko.contracting_exchange.push", ignore_result=True)
def push_messages() -> int:
    """Push due messages to partners' HTTPS endpoints (woken by a new message; also a sweep)."""
    from okienko.contracting.exchange import transport_https

    with context.channel("scheduler"):
        return transport_https.push_due()


@shared_task(name="okienko.contracting_exchange.retry_waiting", ignore_result=True)
def retry_waiting() -> int:
    """Apply received messages that waited for an earlier one (every few minutes)."""
    from okienko.contracting.exchange import inbound

    with context.channel("scheduler"):
        return inbound.retry_waiting()

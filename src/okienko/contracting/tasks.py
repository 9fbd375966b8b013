"""Periodic Kontraktor work for Celery beat (each task idempotent)."""

from __future__ import annotations

from celery import shared_task

from okienko.contracting import actions, settlement, sharing
from okienko.contracting.models import Contract
from okienko.contracting.states import ContractStatus
from okienko.core import context


@shared_task(name="okienko.contracting.remind_retention_checks", ignore_result=True)
def remind_retention_checks() -> dict[str, int]:
    """Start and end contracts by their dates, expire sharing requests past their validity, re-send
    what changed on active requests once a day, apply the registry's deregistrations, remind
    the agencies of due employment checks (once each) and refresh the tranche lines."""
    with context.channel("scheduler"):
        contracts = actions.start_and_end_contracts()
        expired = sharing.expire_requests()
        synced = sharing.sync_active_requests()
        deregistered = actions.apply_registry_deregistrations()
        reminded = actions.remind_retention_checks()
        eligible = 0
        running = [ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.ENDED, ContractStatus.SETTLING]
        for contract in Contract.objects.filter(status__in=running):
            eligible += settlement.refresh_tranche_lines(contract=contract).eligible
    return {
        "contracts": contracts,
        "expired": expired,
        "synced": synced,
        "deregistered": deregistered,
        "reminded": reminded,
        "eligible": eligible,
    }

"""When two client records are merged, the merged client's cases follow the surviving record."""

from __future__ import annotations

from okienko.cases.models import Case, CaseParty
from okienko.clients.models import Client


def move_cases_to_survivor(merged: Client, survivor: Client) -> int:
    """Re-point cases and case parties; return how many cases moved (the merge audits it)."""
    moved = Case.objects.filter(client=merged).update(client=survivor)
    CaseParty.objects.filter(client=merged).update(client=survivor)
    return moved

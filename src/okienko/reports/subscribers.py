"""Outbox subscribers of the reports app: every case event recomputes the case's buckets."""

from __future__ import annotations

from okienko.cases.models import Case
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.reports import rollups

# What can move a case between buckets: its creation, a status (resolved_at) and a change of
# service, organisation or place (``case.updated``; the nightly repair covers the old bucket).
TOPICS = frozenset(
    {"case.created", "case.opened", "case.status_changed", "case.updated", "case.assigned", "case.merged"}
)


@events.subscriber("case.*", name="reports.case_rollups")
def case_rollups(event: OutboxEvent) -> None:
    if event.topic not in TOPICS:
        return
    if event.aggregate_type != "cases.case" or not event.aggregate_id.isdigit():
        return
    case = Case.objects.filter(pk=int(event.aggregate_id)).first()
    if case is not None:
        rollups.recompute(rollups.buckets_of(case))

"""Outbox subscribers of the reports app: every case event recomputes the case's buckets, every
contact event its office's day of contacts."""

from __future__ import annotations

from okienko.cases.models import Case
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.interactions.models import Interaction
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
        if event.topic in {"case.created", "case.opened"}:
            # A case opened from a contact changes the contact's outcome without a contact event.
            linked = Interaction.objects.filter(case_id=case.pk).only("organisation_id", "started_at")
            rollups.recompute_contacts(rollups.contact_bucket(i) for i in linked)


@events.subscriber("interaction.*", name="reports.contact_rollups")
def contact_rollups(event: OutboxEvent) -> None:
    """A contact recorded or changed (linked to a case: its outcome) recomputes its office's day."""
    if event.aggregate_type != "interactions.interaction" or not event.aggregate_id.isdigit():
        return
    interaction = Interaction.objects.filter(pk=int(event.aggregate_id)).first()
    if interaction is not None:
        rollups.recompute_contacts([rollups.contact_bucket(interaction)])

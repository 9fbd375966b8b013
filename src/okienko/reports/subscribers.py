"""Outbox subscribers of the reports app: every case event marks the days its case counts in,
every contact event its office's day of contacts; after the batch, the marked days are recomputed."""

from __future__ import annotations

import datetime as dt
import time

from okienko.cases.models import Case
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.interactions.models import Interaction
from okienko.reports import rollups
from okienko.reports.models import RollupMark

# What can move a case between buckets: its creation, a status (resolved_at) and a change of
# service, organisation or place (``case.updated``; the nightly repair covers the old bucket).
TOPICS = frozenset(
    {"case.created", "case.opened", "case.status_changed", "case.updated", "case.assigned", "case.merged"}
)


@events.batch_subscriber("case.*", name="reports.case_rollups")
def case_rollups(found: list[OutboxEvent]) -> None:
    """Mark the days a batch's cases count in (one read of the cases, one insert of marks)."""
    ids = {
        int(e.aggregate_id)
        for e in found
        if e.topic in TOPICS and e.aggregate_type == "cases.case" and e.aggregate_id.isdigit()
    }
    if not ids:
        return
    days: set[tuple[int, dt.date]] = set()
    for organisation_id, created_at, resolved_at in Case.objects.filter(pk__in=ids).values_list(
        "organisation_id", "created_at", "resolved_at"
    ):
        days |= rollups.days_of(organisation_id, created_at, resolved_at)
    rollups.mark(RollupMark.Kind.CASES, days)
    # A case opened from a contact changes the contact's outcome without a contact event.
    opened = {int(e.aggregate_id) for e in found if e.topic in {"case.created", "case.opened"}} & ids
    if opened:
        linked = Interaction.objects.filter(case_id__in=opened).only("organisation_id", "started_at")
        rollups.mark(RollupMark.Kind.CONTACTS, [rollups.contact_bucket(i) for i in linked])


@events.batch_subscriber("interaction.*", name="reports.contact_rollups")
def contact_rollups(found: list[OutboxEvent]) -> None:
    """A contact recorded or changed (linked to a case: its outcome) marks its office's day."""
    ids = {
        int(e.aggregate_id)
        for e in found
        if e.aggregate_type == "interactions.interaction" and e.aggregate_id.isdigit()
    }
    if ids:
        contacts = Interaction.objects.filter(pk__in=ids).only("organisation_id", "started_at")
        rollups.mark(RollupMark.Kind.CONTACTS, [rollups.contact_bucket(i) for i in contacts])


FLUSH_EVERY = 5.0  # seconds: how stale a rollup may get while deliveries keep coming
_last_flush = [0.0]


@events.after_deliveries
def flush_rollups() -> None:
    """After a batch of deliveries: recompute the marked days, each once — when the outbox has
    nothing more due, or at most every :data:`FLUSH_EVERY` seconds while it has (so a burst of
    events on the same days is coalesced into one recomputation of each)."""
    now = time.monotonic()
    if now - _last_flush[0] < FLUSH_EVERY and events.OUTBOX.claimable().exists():
        return
    _last_flush[0] = now
    rollups.flush()

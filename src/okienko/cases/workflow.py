"""The case workflow: statuses, the explicit allowed-transition table, and who may trigger what.

Every status change goes through ``check_transition``; anything not in ``TRANSITIONS`` is
refused. The actor of a transition is classified into an ``ActorKind`` by
``cases.access.actor_kinds`` from their permissions on the case.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# One definition for every workflow (cases, knowledge); re-exported here for the cases app.
from okienko.core.errors import TransitionNotAllowed as TransitionNotAllowed


class Status(models.TextChoices):
    NEW = "new", _("new")
    REGISTERED = "registered", _("registered")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING_CLIENT = "waiting_client", _("waiting for the client")
    WAITING_THIRD_PARTY = "waiting_third_party", _("waiting for a third party")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    CANCELLED = "cancelled", _("cancelled")
    DUPLICATE = "duplicate", _("duplicate (merged)")
    SPLIT = "split", _("split into sub-cases")


class ActorKind(models.TextChoices):
    CONSULTANT = "consultant", _("consultant")
    EXPERT = "expert", _("expert")
    SUPERVISOR = "supervisor", _("supervisor")
    CLIENT = "client", _("client")
    SYSTEM = "system", _("system")


S = Status
C, E, V, K, Y = (
    ActorKind.CONSULTANT,
    ActorKind.EXPERT,
    ActorKind.SUPERVISOR,
    ActorKind.CLIENT,
    ActorKind.SYSTEM,
)
STAFF_WORK = frozenset({E, V})

# (from, to) -> who may do it. Nothing else is allowed. Nothing goes back to "registered": a case
# leaves triage only forwards, and handing it to another unit is an assignment (ADR 0050).
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.NEW, S.REGISTERED): frozenset({C, E, V, Y}),
    (S.NEW, S.ASSIGNED): frozenset({E, V, Y}),
    (S.NEW, S.CANCELLED): frozenset({C, V}),
    (S.NEW, S.DUPLICATE): frozenset({C, E, V}),
    (S.REGISTERED, S.ASSIGNED): frozenset({E, V, Y}),
    (S.REGISTERED, S.IN_PROGRESS): STAFF_WORK,
    (S.REGISTERED, S.CANCELLED): frozenset({C, V}),
    (S.REGISTERED, S.DUPLICATE): frozenset({C, E, V}),
    (S.REGISTERED, S.SPLIT): STAFF_WORK,
    (S.ASSIGNED, S.IN_PROGRESS): STAFF_WORK,
    (S.ASSIGNED, S.WAITING_CLIENT): STAFF_WORK,
    (S.ASSIGNED, S.RESOLVED): STAFF_WORK,
    (S.ASSIGNED, S.DUPLICATE): STAFF_WORK,
    (S.ASSIGNED, S.SPLIT): STAFF_WORK,
    (S.ASSIGNED, S.CANCELLED): frozenset({V}),
    (S.IN_PROGRESS, S.WAITING_CLIENT): STAFF_WORK,
    (S.IN_PROGRESS, S.WAITING_THIRD_PARTY): STAFF_WORK,
    (S.IN_PROGRESS, S.RESOLVED): STAFF_WORK,
    (S.IN_PROGRESS, S.DUPLICATE): STAFF_WORK,
    (S.IN_PROGRESS, S.SPLIT): STAFF_WORK,
    (S.IN_PROGRESS, S.CANCELLED): frozenset({V}),
    (S.WAITING_CLIENT, S.IN_PROGRESS): frozenset({E, V, K}),  # the client answered
    (S.WAITING_CLIENT, S.RESOLVED): STAFF_WORK,
    (S.WAITING_CLIENT, S.CANCELLED): frozenset({V, Y}),  # no answer in time
    (S.WAITING_THIRD_PARTY, S.IN_PROGRESS): STAFF_WORK,
    (S.WAITING_THIRD_PARTY, S.WAITING_CLIENT): STAFF_WORK,
    (S.WAITING_THIRD_PARTY, S.RESOLVED): STAFF_WORK,
    (S.RESOLVED, S.CLOSED): frozenset({E, V, Y}),
    (S.RESOLVED, S.REOPENED): frozenset({C, E, V, K}),
    (S.CLOSED, S.REOPENED): frozenset({V, K}),
    (S.REOPENED, S.ASSIGNED): frozenset({E, V, Y}),
    (S.REOPENED, S.IN_PROGRESS): STAFF_WORK,
    (S.REOPENED, S.WAITING_CLIENT): STAFF_WORK,
    (S.REOPENED, S.RESOLVED): STAFF_WORK,
    (S.CANCELLED, S.REOPENED): frozenset({V}),
    (S.DUPLICATE, S.REOPENED): frozenset({V}),  # wrongly merged
    (S.SPLIT, S.CLOSED): frozenset({V, Y}),  # every sub-case finished
}

# Internal statuses folded into what matters to the reporter (the portal, notifications).
PUBLIC_STATUS: dict[str, Promise] = {
    Status.NEW: _("Received"),
    Status.REGISTERED: _("Received"),
    Status.ASSIGNED: _("Passed to the responsible unit"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.REOPENED: _("Being handled"),
    Status.WAITING_CLIENT: _("Waiting for information from you"),
    Status.WAITING_THIRD_PARTY: _("Being handled (waiting for another institution)"),
    Status.RESOLVED: pgettext_lazy("public case status", "Resolved"),
    Status.CLOSED: pgettext_lazy("public case status", "Closed"),
    Status.CANCELLED: pgettext_lazy("public case status", "Cancelled"),
    Status.DUPLICATE: _("Joined with another report of the same matter"),
    Status.SPLIT: _("Divided into several matters"),
}


def public_status(status: str) -> str:
    return str(PUBLIC_STATUS.get(status, _("Being handled")))


OPEN_STATUSES = frozenset(
    {S.NEW, S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CLIENT, S.WAITING_THIRD_PARTY, S.REOPENED}
)
FINISHED_STATUSES = frozenset({S.RESOLVED, S.CLOSED, S.CANCELLED, S.DUPLICATE, S.SPLIT})
# Statuses in which the SLA clock stops (the client has to act).
PAUSED_STATUSES = frozenset({S.WAITING_CLIENT})
# Reaching one of these counts as the first response to the reporter.
RESPONSE_STATUSES = frozenset({S.IN_PROGRESS, S.WAITING_CLIENT, S.WAITING_THIRD_PARTY, S.RESOLVED})


class CaseFinished(TransitionNotAllowed):
    """A finished case cannot be changed or assigned (HTTP 409 ``case-finished``)."""

    slug = "case-finished"
    default_message = _("A finished case cannot be changed; reopen it first.")


def is_allowed(from_status: str, to_status: str, actors: Iterable[str]) -> bool:
    allowed = TRANSITIONS.get((from_status, to_status))
    return allowed is not None and bool(allowed & set(actors))


def check_transition(from_status: str, to_status: str, actors: Iterable[str]) -> None:
    allowed = TRANSITIONS.get((from_status, to_status))
    if allowed is None:
        raise TransitionNotAllowed(from_status, to_status, "the workflow has no such transition")
    if not allowed & set(actors):
        raise TransitionNotAllowed(from_status, to_status, "not allowed for your role")


def allowed_targets(from_status: str, actors: Iterable[str]) -> list[str]:
    """The statuses this actor may move a case to from ``from_status``, in workflow order."""
    actor_set = set(actors)
    order = list(Status.values)
    targets = [to for (frm, to), who in TRANSITIONS.items() if frm == from_status and who & actor_set]
    return sorted(targets, key=order.index)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES

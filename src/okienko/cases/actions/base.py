"""What every case action shares: optimistic locking, the timeline, the event payload, case numbers
and the status side effects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.cases import access, sla
from okienko.cases.models import Case, CaseEvent, CaseNumberCounter
from okienko.cases.workflow import PAUSED_STATUSES, RESPONSE_STATUSES, ActorKind, Status
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden, StaleVersion

TRACKED = [
    "status",
    "priority",
    "assigned_unit",
    "assigned_to",
    "response_due",
    "resolve_due",
    "resolve_due_3x",
    "sla_paused_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "parent",
    "duplicate_of",
    "escalation_level",
    "version",
]


class StaleCase(StaleVersion):
    """Someone changed the case since the writer loaded it (HTTP 412 in the API, 409 on the desk)."""

    default_message = gettext_lazy(
        "Someone else changed this case in the meantime. Nothing was saved; review the case and try again."
    )

    def __init__(self, case: Case, expected: int) -> None:
        super().__init__(current_version=case.version)
        self.case = case
        self.expected = expected

    def __str__(self) -> str:
        return f"case {self.case.number} is at version {self.case.version}, not {self.expected}"


class OutOfScope(Forbidden):
    """The target unit or person is outside the case's jurisdiction or the actor's scope."""


# -- helpers ---------------------------------------------------------------------------------
def _actor_repr(actor: Actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(actor or "system")
    return str(actor.get_username())


def _timeline(case: Case, kind: str, actor: Actor, summary: str, *, public: bool = False, **data: Any) -> None:
    _event(case, kind, actor, summary, public=public, **data).save(force_insert=True)


def _event(case: Case, kind: str, actor: Actor, summary: str, *, public: bool = False, **data: Any) -> CaseEvent:
    """A timeline entry, not yet saved."""
    return CaseEvent(
        case=case,
        at=clock.now(),
        kind=kind,
        actor=user_of(actor),
        actor_repr=_actor_repr(actor)[:200],
        summary=summary[:500],
        data=audit._plain(data),
        is_public=public,
    )


def _payload(case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "case_uuid": str(case.uuid),
        "number": case.number,
        "status": case.status,
        "organisation_id": case.organisation_id,
        "assigned_unit_id": case.assigned_unit_id,
        **extra,
    }


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("organisation", "service", "assigned_unit")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(locked, expected_version)
    return locked


def _save(case: Case, before: Mapping[str, Any], action: str, actor: Actor, **data: Any) -> dict[str, Any]:
    case.version += 1
    case.updated_at = clock.now()
    case.save()
    changes = audit.diff(before, audit.snapshot(case, TRACKED))
    audit.record(action, actor=actor, obj=case, organisation_id=case.organisation_id, changes=changes, data=data)
    return changes


def _require_work(actor: Actor, case: Case) -> set[str]:
    kinds = access.actor_kinds(actor, case)
    if not kinds & {ActorKind.EXPERT, ActorKind.SUPERVISOR}:
        raise Forbidden(_("You may not work on this case."))
    return kinds


def next_number(organisation: Organisation, year: int) -> str:
    """The next gap-free number of ``organisation`` in ``year`` (call inside a transaction)."""
    value = _increment(organisation.pk, year)
    if value is None:
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(organisation=organisation, year=year)
        except IntegrityError:  # created concurrently; the row exists now
            pass
        value = _increment(organisation.pk, year)
    assert value is not None
    prefix = organisation.code.upper()
    return f"{prefix}/{year}/{value:06d}"


class Due(Protocol):
    """The three deadlines of a case: ``sla.Deadlines`` for a new case, the parent case for a sub-case."""

    @property
    def response_due(self) -> dt.datetime | None: ...
    @property
    def resolve_due(self) -> dt.datetime | None: ...
    @property
    def resolve_due_3x(self) -> dt.datetime | None: ...


def create_case(
    *,
    organisation: Organisation,
    service: Any,
    description: str,
    unit: Organisation,
    now: dt.datetime,
    due: Due,
    sla_basis: str,
    reporter: Mapping[str, Any],
    place: Mapping[str, Any],
    received_at: dt.datetime | None = None,
    **fields: Any,
) -> Case:
    """Insert a case row the one way both ``open_case`` and ``split_case`` do it: the next gap-free
    number of ``organisation``, status assigned to ``unit``, the reporter and the place, the
    deadlines; ``fields`` carries the rest (priority, channel, client, answers, parent…).
    ``received_at``: when the office received a letter the case is opened from (ADR 0054), its
    creation time; the number stays in the sequence of the year it is registered in.

    The caller checks, audits and records the timeline (inside its transaction).
    """
    return Case.objects.create(
        number=next_number(organisation, now.astimezone(clock.WARSAW).year),
        organisation=organisation,
        service=service,
        description=description,
        status=Status.ASSIGNED,
        reporter_name=str(reporter.get("name", ""))[:200],
        reporter_email=str(reporter.get("email", ""))[:254],
        reporter_phone=str(reporter.get("phone", ""))[:40],
        latitude=place["latitude"],
        longitude=place["longitude"],
        address=place["address"],
        gmina=place["gmina"],
        assigned_unit=unit,
        sla_basis=sla_basis,
        response_due=due.response_due,
        resolve_due=due.resolve_due,
        resolve_due_3x=due.resolve_due_3x,
        created_at=received_at or now,
        updated_at=now,
        **fields,
    )


def _increment(organisation_id: int, year: int) -> int | None:
    """Add one to the counter row and return it, in one statement (the row stays locked to the commit)."""
    table = CaseNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 WHERE organisation_id = %s AND year = %s"  # noqa: S608 - model metadata
            " RETURNING last_value",
            [organisation_id, year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


# -- status ----------------------------------------------------------------------------------
def _apply_status(case: Case, to_status: str, now: Any) -> None:
    """Status side effects: SLA pause/resume, first response, resolution and closing times."""
    from_status = case.status
    calendar = sla.calendar_of(case.service, case.assigned_unit or case.organisation)
    if from_status in PAUSED_STATUSES and to_status not in PAUSED_STATUSES and case.sla_paused_at:
        paused = sla.paused_amount(case.sla_basis, case.sla_paused_at, now, calendar)
        case.resolve_due = sla.shift(case.resolve_due, case.sla_basis, paused, calendar)
        case.resolve_due_3x = sla.shift(case.resolve_due_3x, case.sla_basis, paused, calendar)
        if case.responded_at is None:
            case.response_due = sla.shift(case.response_due, case.sla_basis, paused, calendar)
        case.sla_paused_at = None
    if to_status in PAUSED_STATUSES and from_status not in PAUSED_STATUSES:
        case.sla_paused_at = now
    if to_status in RESPONSE_STATUSES and case.responded_at is None:
        case.responded_at = now
    if to_status == Status.RESOLVED:
        case.resolved_at = now
    if to_status == Status.CLOSED:
        case.closed_at = now
    if to_status == Status.REOPENED:
        case.resolved_at = None
        case.closed_at = None
        case.escalation_level = 0
    case.status = to_status

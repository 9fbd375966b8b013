"""Moving a case through its workflow: any allowed transition, asking the client, resolving, reopening."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.cases import access
from okienko.cases.actions.base import TRACKED, _apply_status, _lock, _payload, _save, _timeline
from okienko.cases.actions.notes import _add_note
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case
from okienko.cases.workflow import ActorKind, Status, check_transition
from okienko.core import audit, clock, events
from okienko.core.actors import Actor


def transition_case(
    *,
    actor: Actor,
    case: Case,
    to_status: str,
    note: str | None = None,
    note_public: bool = True,
    expected_version: int | None = None,
    actor_kinds: set[str] | None = None,
) -> Case:
    """Move ``case`` to ``to_status`` if the workflow allows it for this actor.

    ``note`` is added as a public update (or internal with ``note_public=False``).
    """
    with transaction.atomic():
        case = _lock(case, expected_version)
        kinds = actor_kinds if actor_kinds is not None else access.actor_kinds(actor, case)
        check_transition(case.status, to_status, kinds)
        before = audit.snapshot(case, TRACKED)
        from_status = case.status
        now = clock.now()
        _apply_status(case, to_status, now)
        changes = _save(case, before, "case.status_changed", actor)
        _timeline(
            case,
            "status",
            actor,
            _("Status: %(status)s") % {"status": Status(to_status).label},
            public=True,
            from_status=from_status,
            to_status=to_status,
        )
        if note:
            _add_note(case, actor, note, public=note_public)
        events.emit(
            "case.status_changed",
            obj=case,
            organisation_id=case.organisation_id,
            payload=_payload(case, from_status=from_status, to_status=to_status, changes=sorted(changes)),
        )
    return case


def ask_client(*, actor: Actor, case: Case, message: str, expected_version: int | None = None) -> Case:
    """Ask the reporter for information: public note, status waiting_client, SLA paused."""
    if not message.strip():
        raise CaseInputError({"message": _("Write what you need from the client.")})
    return transition_case(
        actor=actor, case=case, to_status=Status.WAITING_CLIENT, note=message, expected_version=expected_version
    )


def resolve_case(*, actor: Actor, case: Case, message: str, expected_version: int | None = None) -> Case:
    if not message.strip():
        raise CaseInputError({"message": _("Tell the client how the matter was resolved.")})
    return transition_case(
        actor=actor, case=case, to_status=Status.RESOLVED, note=message, expected_version=expected_version
    )


def reopen_case(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    on_client_request: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Reopen a resolved/closed case, by staff or because the client asked (portal, phone)."""
    if not reason.strip():
        raise CaseInputError({"reason": _("Give the reason for reopening.")})
    kinds: set[str] | None = {ActorKind.CLIENT.value} if on_client_request else None
    if on_client_request and actor is not None and getattr(actor, "is_authenticated", False):
        kinds = {ActorKind.CLIENT.value} | access.actor_kinds(actor, case)
    return transition_case(
        actor=actor,
        case=case,
        to_status=Status.REOPENED,
        note=reason,
        expected_version=expected_version,
        actor_kinds=kinds,
    )


def escalate_case(*, case: Case, level: int, kind: str, summary: str) -> bool:
    """One escalation step taken by the scheduler (1 reminder, 2 overdue alert, 3 three times
    overdue), once: False when the case already reached ``level``. Audited, on the timeline and
    announced with the same event payload as every other change of a case."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.escalation_level >= level:
            return False
        before = audit.snapshot(locked, ["escalation_level"])
        locked.escalation_level = level
        locked.save(update_fields=["escalation_level"])
        audit.record(
            "case.escalated",
            actor=None,
            obj=locked,
            organisation_id=locked.organisation_id,
            changes=audit.diff(before, audit.snapshot(locked, ["escalation_level"])),
        )
        _timeline(locked, kind, None, summary, level=level)
        events.emit(
            "case.updated",
            obj=locked,
            organisation_id=locked.organisation_id,
            payload=_payload(
                locked, change="escalation", level=level, alert=kind, assigned_to_id=locked.assigned_to_id
            ),
        )
    return True

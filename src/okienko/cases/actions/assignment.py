"""Assigning cases to units and people."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation, User
from okienko.cases import access
from okienko.cases.actions.base import TRACKED, OutOfScope, _lock, _payload, _save, _timeline
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case
from okienko.cases.workflow import ActorKind, CaseFinished, Status
from okienko.core import audit, events
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden


# -- assignment ------------------------------------------------------------------------------
def assign_case(
    *,
    actor: Actor,
    case: Case,
    unit: Organisation | None = None,
    user: User | None = None,
    expected_version: int | None = None,
) -> Case:
    """Assign to a unit of the case's jurisdiction and/or a person working in that unit.

    Experts may take a case of their unit for themselves; anything else needs a supervisor.
    """
    with transaction.atomic():
        case = _lock(case, expected_version)
        kinds = access.actor_kinds(actor, case)
        target_unit = unit or case.assigned_unit
        self_take = unit is None and user is not None and user.pk == getattr(actor, "pk", None)
        if ActorKind.SUPERVISOR not in kinds and not (self_take and ActorKind.EXPERT in kinds):
            raise Forbidden(_("Only a supervisor may assign cases."))
        if target_unit is None:
            raise CaseInputError({"unit": _("Choose a unit.")})
        if not target_unit.is_within(case.organisation) and not case.organisation.is_within(target_unit):
            raise OutOfScope(_("%(unit)s is outside the jurisdiction of this case.") % {"unit": target_unit})
        from okienko.accounts import access as accounts_access
        from okienko.accounts.roles import Perm

        if user is not None and not accounts_access.has_perm_in(user, Perm.CASES_WORK, target_unit):
            raise OutOfScope(_("%(user)s does not work on cases in %(unit)s.") % {"user": user, "unit": target_unit})
        if case.is_finished:
            raise CaseFinished(case.status, case.status, "a finished case cannot be assigned")
        before = audit.snapshot(case, TRACKED)
        case.assigned_unit = target_unit
        case.assigned_to = user
        if case.status in (Status.NEW, Status.REGISTERED, Status.REOPENED):
            case.status = Status.ASSIGNED
        _save(case, before, "case.assigned", actor)
        who = f"{target_unit}" + (f" / {user}" if user is not None else "")
        _timeline(
            case,
            "assigned",
            actor,
            _("Assigned to %(who)s") % {"who": who},
            unit_id=target_unit.pk,
            user_id=getattr(user, "pk", None),
        )
        events.emit(
            "case.assigned",
            obj=case,
            organisation_id=case.organisation_id,
            payload=_payload(case, assigned_to_id=case.assigned_to_id),
        )
    return case


def bulk_assign(*, actor: Actor, cases: Sequence[Case], unit: Organisation | None, user: User | None) -> int:
    """Assign many cases (supervisor); each is its own audited assignment. Returns the count."""
    with transaction.atomic():
        for case in cases:
            assign_case(actor=actor, case=case, unit=unit, user=user)
    return len(cases)

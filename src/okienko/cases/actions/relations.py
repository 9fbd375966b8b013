"""Cases and the cases and people around them: split into sub-cases, merge duplicates, add parties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.cases import access
from okienko.cases.actions.base import (
    TRACKED,
    OutOfScope,
    _apply_status,
    _lock,
    _payload,
    _require_work,
    _save,
    _timeline,
    create_case,
)
from okienko.cases.actions.notes import _add_note
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseParty
from okienko.cases.workflow import Status, check_transition
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden


def _inherited_from(parent: Case) -> dict[str, Any]:
    """What a sub-case keeps of its parent: reporter, place, deadlines, priority, channel, answers."""
    return {
        "reporter": {"name": parent.reporter_name, "email": parent.reporter_email, "phone": parent.reporter_phone},
        "place": {
            "latitude": parent.latitude,
            "longitude": parent.longitude,
            "address": parent.address,
            "gmina": parent.gmina,
        },
        "due": parent,
        "sla_basis": parent.sla_basis,
        "priority": parent.priority,
        "channel": parent.channel,
        "client": parent.client,
        "answers": parent.answers,
    }


# -- split and merge -------------------------------------------------------------------------
def split_case(
    *, actor: Actor, case: Case, parts: Sequence[Mapping[str, Any]], expected_version: int | None = None
) -> list[Case]:
    """Split ``case`` into sub-cases, one per ``{"unit": Organisation, "description": str}``."""
    if len(parts) < 2:
        raise CaseInputError({"parts": _("A split needs at least two parts.")})
    with transaction.atomic():
        locked = _lock(case, expected_version)
        kinds = _require_work(actor, locked)
        check_transition(locked.status, Status.SPLIT, kinds)
        children = []
        inherited = _inherited_from(locked)
        for part in parts:
            unit = part["unit"]
            if not unit.is_within(locked.organisation):
                raise OutOfScope(_("%(unit)s is outside the jurisdiction of this case.") % {"unit": unit})
            now = clock.now()
            child = create_case(
                organisation=locked.organisation,
                service=part.get("service") or locked.service,
                description=str(part.get("description") or locked.description),
                unit=unit,
                now=now,
                parent=locked,
                **inherited,
            )
            audit.record(
                "case.opened",
                actor=actor,
                obj=child,
                organisation_id=child.organisation_id,
                data={"split_from": locked.pk},
            )
            _timeline(child, "opened", actor, _("Sub-case of %(number)s") % {"number": locked.number}, public=True)
            events.emit(
                "case.created",
                obj=child,
                organisation_id=child.organisation_id,
                payload=_payload(child, parent_id=locked.pk),
            )
            children.append(child)
        before = audit.snapshot(locked, TRACKED)
        _apply_status(locked, Status.SPLIT, clock.now())
        _save(locked, before, "case.split", actor, children=[c.pk for c in children])
        _timeline(
            locked,
            "split",
            actor,
            _("Split into %(numbers)s") % {"numbers": ", ".join(c.number for c in children)},
            public=True,
            children=[c.number for c in children],
        )
        events.emit(
            "case.status_changed",
            obj=locked,
            organisation_id=locked.organisation_id,
            payload=_payload(locked, to_status=Status.SPLIT, children=[c.pk for c in children]),
        )
    return children


def merge_cases(
    *,
    actor: Actor,
    case: Case,
    into: Case,
    message: str = "",
    expected_version: int | None = None,
    at_intake: bool = False,
) -> Case:
    """Mark ``case`` as a duplicate of ``into``; its reporter is informed with a public note and
    becomes a party of ``into``. ``at_intake``: the case is being registered in the same
    transaction, so the step is judged as from a new case (a consultant may do it)."""
    if case.pk == into.pk:
        raise CaseInputError({"into": _("A case cannot duplicate itself.")})
    if into.organisation_id != case.organisation_id:
        raise OutOfScope(_("Cases of different jurisdictions cannot be merged."))
    with transaction.atomic():
        locked = _lock(case, expected_version)
        target = Case.objects.select_for_update().get(pk=into.pk)
        if target.duplicate_of_id is not None or target.status == Status.DUPLICATE:
            raise CaseInputError({"into": _("Merge into the original case, not into a duplicate.")})
        kinds = access.actor_kinds(actor, locked)
        check_transition(Status.NEW if at_intake else locked.status, Status.DUPLICATE, kinds)
        before = audit.snapshot(locked, TRACKED)
        _apply_status(locked, Status.DUPLICATE, clock.now())
        locked.duplicate_of = target
        _save(locked, before, "case.merged", actor, into=target.pk)
        text = message.strip() or _(
            "Your report concerns the same matter as case %(number)s; we will handle them together."
        ) % {"number": target.number}
        _add_note(locked, actor, text, public=True)
        _timeline(
            locked,
            "merged",
            actor,
            _("Duplicate of %(number)s") % {"number": target.number},
            public=True,
            into=target.number,
        )
        for party in locked.parties.all():
            CaseParty.objects.create(
                case=target,
                role=party.role if party.role != CaseParty.Role.REPORTER else CaseParty.Role.AFFECTED,
                client=party.client,
                name=party.name,
                email=party.email,
                phone=party.phone,
                notify=party.notify,
            )
        _timeline(
            target,
            "merged",
            actor,
            _("Duplicate %(number)s merged in") % {"number": locked.number},
            source=locked.number,
        )
        target.version += 1
        target.updated_at = clock.now()
        target.save(update_fields=["version", "updated_at"])
        events.emit(
            "case.status_changed",
            obj=locked,
            organisation_id=locked.organisation_id,
            payload=_payload(locked, to_status=Status.DUPLICATE, duplicate_of_id=target.pk),
        )
    return locked


def add_party(
    *, actor: Actor, case: Case, role: str, name: str = "", email: str = "", phone: str = "", client: Any = None
) -> CaseParty:
    if role not in CaseParty.Role.values:
        raise CaseInputError({"role": _("Unknown role.")})
    with transaction.atomic():
        case = _lock(case, None)
        if not access.actor_kinds(actor, case):
            raise Forbidden(_("You may not change this case."))
        party = CaseParty.objects.create(case=case, role=role, client=client, name=name, email=email, phone=phone)
        audit.record(
            "case.party_added",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            data={"party": party.pk, "role": role},
        )
        _timeline(case, "party", actor, _("Party added: %(role)s") % {"role": party.get_role_display()})
        events.emit(
            "case.updated", obj=case, organisation_id=case.organisation_id, payload=_payload(case, change="party")
        )
    return party


def open_duplicate_case(*, actor: Actor, into: Case, message: str = "", **fields: Any) -> Case:
    """Register a report that repeats ``into`` and mark it as its duplicate, as one intent in one
    transaction: either the report is stored merged into ``into``, or nothing is stored."""
    from okienko.cases.actions.intake import open_case

    with transaction.atomic():
        case = open_case(actor=actor, **fields)
        return merge_cases(actor=actor, case=case, into=into, message=message, at_intake=True)

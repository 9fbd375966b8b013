"""Notes on a case: internal, unit-only or public."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access as acc
from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases import access
from okienko.cases.actions.base import TRACKED, _lock, _payload, _timeline
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseNote
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden


# -- notes and files -------------------------------------------------------------------------
def _add_note(case: Case, actor: Actor, body: str, *, public: bool, unit: Organisation | None = None) -> CaseNote:
    if public:
        visibility = CaseNote.Visibility.PUBLIC
    else:
        visibility = CaseNote.Visibility.UNIT if unit is not None else CaseNote.Visibility.INTERNAL
    note = CaseNote.objects.create(
        case=case,
        visibility=visibility,
        unit=unit,
        body=body.strip(),
        author=user_of(actor),
        created_at=clock.now(),
    )
    audit.record(
        "case.note_added",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        data={"note_id": note.pk, "public": public, "visibility": visibility},
    )
    summary = {
        CaseNote.Visibility.PUBLIC: body.strip()[:200],
        CaseNote.Visibility.INTERNAL: _("Internal note"),
        CaseNote.Visibility.UNIT: _("Unit-only note"),
    }[visibility]
    _timeline(case, "note", actor, summary, public=public, note_id=note.pk)
    events.emit(
        "case.note_added",
        obj=case,
        organisation_id=case.organisation_id,
        payload=_payload(case, note_id=note.pk, public=public, visibility=visibility),
    )
    return note


def note_unit_for(actor: Actor, case: Case) -> Organisation | None:
    """The unit a unit-only note by ``actor`` on ``case`` would be kept for: the unit the case is
    assigned to, if the actor works on cases there; None when the actor may not write one."""
    unit = case.assigned_unit
    if unit is None or not acc.has_perm_in(actor, Perm.CASES_WORK, unit):
        return None
    return unit


def add_note(
    *,
    actor: Actor,
    case: Case,
    body: str,
    public: bool = False,
    unit_only: bool = False,
    expected_version: int | None = None,
) -> CaseNote:
    """Add a note: internal (staff who see the case), unit-only (staff of the assigned unit, written
    by one of them) or public (the reporter sees it)."""
    if not body.strip():
        raise CaseInputError({"body": _("The note is empty.")})
    if public and unit_only:
        raise CaseInputError({"visibility": _("A note is either public or unit-only.")})
    with transaction.atomic():
        case = _lock(case, expected_version)
        kinds = access.actor_kinds(actor, case)
        if not kinds:
            raise Forbidden(_("You may not add notes to this case."))
        unit = note_unit_for(actor, case) if unit_only else None
        if unit_only and unit is None:
            raise CaseInputError(
                {"visibility": _("Only staff of the unit the case is assigned to may write unit-only notes.")}
            )
        before = audit.snapshot(case, TRACKED)
        note = _add_note(case, actor, body, public=public, unit=unit)
        if public and case.responded_at is None:
            case.responded_at = clock.now()
        case.version += 1
        case.updated_at = clock.now()
        case.save()
        audit.record(
            "case.updated",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            changes=audit.diff(before, audit.snapshot(case, TRACKED)),
        )
    return note

"""Every write to a case: one transaction, an audit entry, a timeline event and a domain event.

Mutating actions take ``expected_version`` (optimistic locking): the case row is locked, and when
its ``version`` is not the one the writer saw, ``StaleCase`` is raised and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from okienko.accounts import access as acc
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases import access, files, routing, sla
from okienko.cases.intake import CaseInputError, check_case_input, clean_location
from okienko.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseParty,
    Priority,
)
from okienko.cases.workflow import (
    PAUSED_STATUSES,
    RESPONSE_STATUSES,
    ActorKind,
    Status,
    TransitionNotAllowed,
    check_transition,
)
from okienko.core import audit, clock, events

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


class StaleCase(Exception):
    """Someone changed the case since the writer loaded it (HTTP 409)."""

    def __init__(self, case: Case, expected: int) -> None:
        super().__init__(f"case {case.number} is at version {case.version}, not {expected}")
        self.case = case
        self.expected = expected


class OutOfScope(PermissionDenied):
    """The target unit or person is outside the case's jurisdiction or the actor's scope."""


# -- helpers ---------------------------------------------------------------------------------
def _actor_repr(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(actor or "system")
    return str(actor.get_username())


def _timeline(case: Case, kind: str, actor: Any, summary: str, *, public: bool = False, **data: Any) -> None:
    _event(case, kind, actor, summary, public=public, **data).save(force_insert=True)


def _event(case: Case, kind: str, actor: Any, summary: str, *, public: bool = False, **data: Any) -> CaseEvent:
    """A timeline entry, not yet saved."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return CaseEvent(
        case=case,
        at=clock.now(),
        kind=kind,
        actor=actor if authenticated else None,
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


def _save(case: Case, before: Mapping[str, Any], action: str, actor: Any, **data: Any) -> dict[str, Any]:
    case.version += 1
    case.updated_at = clock.now()
    case.save()
    changes = audit.diff(before, audit.snapshot(case, TRACKED))
    audit.record(action, actor=actor, obj=case, organisation_id=case.organisation_id, changes=changes, data=data)
    return changes


def _require_work(actor: Any, case: Case) -> set[str]:
    kinds = access.actor_kinds(actor, case)
    if not kinds & {ActorKind.EXPERT, ActorKind.SUPERVISOR}:
        raise PermissionDenied(_("You may not work on this case."))
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


# -- open ------------------------------------------------------------------------------------
def open_case(
    *,
    actor: Any,
    organisation: Organisation,
    service: Any,
    description: str,
    channel: str,
    client: Any = None,
    reporter: Mapping[str, str] | None = None,
    location: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    priority: str | None = None,
    interaction: Any = None,
    media_url: str | None = None,
    as_client: bool = False,
    questions: Sequence[Any] | None = None,
    external_token: Any = None,
) -> Case:
    """Register a case, route it and set its deadlines.

    ``as_client`` marks a case filed by the public (portal, Open311) with no staff actor;
    ``questions``: the service's questions with choices, when the caller already has them;
    ``external_token``: the token a channel already gave the requester (Open311 queued intake).
    """
    if not as_client and not access.can_open_in(actor, organisation):
        raise PermissionDenied(_("You may not open cases for this organisation."))
    if not organisation.is_within(service.organisation):
        raise OutOfScope(_("The service belongs to another jurisdiction."))
    description, cleaned_answers, place = check_case_input(
        service, description=description, answers=answers, location=location, priority=priority, questions=questions
    )
    reporter = dict(reporter or {})
    now = clock.now()
    territory = place["gmina"].code if place["gmina"] else (client.gmina_id or "" if client is not None else "")
    with audit.batch():  # one transaction; the audit chain is locked only at its end
        target = routing.route(
            jurisdiction=organisation, service=service, territory_code=territory, answers=cleaned_answers, at=now
        )
        calendar = sla.calendar_of(service, target.unit)
        due = sla.deadlines(sla.Rule(service.sla_basis, service.response_due, service.resolve_due), now, calendar)
        case = Case.objects.create(
            number=next_number(organisation, now.astimezone(clock.WARSAW).year),
            organisation=organisation,
            service=service,
            description=description,
            status=Status.ASSIGNED,
            priority=priority or Priority.NORMAL,
            channel=channel,
            client=client,
            reporter_name=str(reporter.get("name", ""))[:200],
            reporter_email=str(reporter.get("email", ""))[:254],
            reporter_phone=str(reporter.get("phone", ""))[:40],
            latitude=place["latitude"],
            longitude=place["longitude"],
            address=place["address"],
            gmina=place["gmina"],
            assigned_unit=target.unit,
            routing_rule=target.rule,
            sla_basis=service.sla_basis,
            response_due=due.response_due,
            resolve_due=due.resolve_due,
            resolve_due_3x=due.resolve_due_3x,
            answers=cleaned_answers,
            media_url=media_url or "",
            created_at=now,
            updated_at=now,
            **({"external_token": external_token} if external_token is not None else {}),
        )
        if reporter or client is not None:
            CaseParty.objects.create(
                case=case,
                role=CaseParty.Role.REPORTER,
                client=client,
                name=case.reporter_name,
                email=case.reporter_email,
                phone=case.reporter_phone,
            )
        audit.record(
            "case.opened",
            actor=actor,
            obj=case,
            organisation_id=organisation.pk,
            changes=audit.diff({}, audit.snapshot(case, ["service", "status", "assigned_unit", "resolve_due"])),
            data={"route": target.reason, "rule": target.rule.pk if target.rule else None},
        )
        CaseEvent.objects.bulk_create(
            [
                _event(case, "opened", actor, _("Case registered"), public=True, channel=channel),
                _event(
                    case,
                    "assigned",
                    actor,
                    _("Routed to %(unit)s") % {"unit": target.unit},
                    unit_id=target.unit.pk,
                    route=target.reason,
                ),
            ]
        )
        if interaction is not None:
            _link_interaction(interaction, case, actor)
        events.emit(
            "case.created",
            obj=case,
            organisation_id=organisation.pk,
            payload=_payload(case, service_id=service.pk, client_id=case.client_id, route=target.reason),
        )
    return case


def _link_interaction(interaction: Any, case: Case, actor: Any) -> None:
    """Record on the contact that it led to this case (audited)."""
    try:
        interaction._meta.get_field("case")
    except FieldDoesNotExist:
        return
    type(interaction).objects.filter(pk=interaction.pk).update(case=case, outcome="case_opened")
    audit.record(
        "interaction.case_linked",
        actor=actor,
        obj=interaction,
        organisation_id=interaction.organisation_id,
        changes={"case": [None, case.pk], "outcome": [interaction.outcome, "case_opened"]},
    )


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


def transition_case(
    *,
    actor: Any,
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


def ask_client(*, actor: Any, case: Case, message: str, expected_version: int | None = None) -> Case:
    """Ask the reporter for information: public note, status waiting_client, SLA paused."""
    if not message.strip():
        raise CaseInputError({"message": _("Write what you need from the client.")})
    return transition_case(
        actor=actor, case=case, to_status=Status.WAITING_CLIENT, note=message, expected_version=expected_version
    )


def resolve_case(*, actor: Any, case: Case, message: str, expected_version: int | None = None) -> Case:
    if not message.strip():
        raise CaseInputError({"message": _("Tell the client how the matter was resolved.")})
    return transition_case(
        actor=actor, case=case, to_status=Status.RESOLVED, note=message, expected_version=expected_version
    )


def reopen_case(
    *,
    actor: Any,
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


# -- assignment ------------------------------------------------------------------------------
def assign_case(
    *,
    actor: Any,
    case: Case,
    unit: Organisation | None = None,
    user: Any = None,
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
            raise PermissionDenied(_("Only a supervisor may assign cases."))
        if target_unit is None:
            raise CaseInputError({"unit": _("Choose a unit.")})
        if not target_unit.is_within(case.organisation) and not case.organisation.is_within(target_unit):
            raise OutOfScope(_("%(unit)s is outside the jurisdiction of this case.") % {"unit": target_unit})
        from okienko.accounts import access as accounts_access
        from okienko.accounts.roles import Perm

        if user is not None and not accounts_access.has_perm_in(user, Perm.CASES_WORK, target_unit):
            raise OutOfScope(_("%(user)s does not work on cases in %(unit)s.") % {"user": user, "unit": target_unit})
        if case.is_finished:
            raise TransitionNotAllowed(case.status, case.status, "a finished case cannot be assigned")
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


def bulk_assign(*, actor: Any, cases: Sequence[Case], unit: Organisation | None, user: Any) -> int:
    """Assign many cases (supervisor); each is its own audited assignment. Returns the count."""
    with transaction.atomic():
        for case in cases:
            assign_case(actor=actor, case=case, unit=unit, user=user)
    return len(cases)


# -- notes and files -------------------------------------------------------------------------
def _add_note(case: Case, actor: Any, body: str, *, public: bool, unit: Organisation | None = None) -> CaseNote:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if public:
        visibility = CaseNote.Visibility.PUBLIC
    else:
        visibility = CaseNote.Visibility.UNIT if unit is not None else CaseNote.Visibility.INTERNAL
    note = CaseNote.objects.create(
        case=case,
        visibility=visibility,
        unit=unit,
        body=body.strip(),
        author=actor if authenticated else None,
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


def note_unit_for(actor: Any, case: Case) -> Organisation | None:
    """The unit a unit-only note by ``actor`` on ``case`` would be kept for: the unit the case is
    assigned to, if the actor works on cases there; None when the actor may not write one."""
    unit = case.assigned_unit
    if unit is None or not acc.has_perm_in(actor, Perm.CASES_WORK, unit):
        return None
    return unit


def add_note(
    *,
    actor: Any,
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
            raise PermissionDenied(_("You may not add notes to this case."))
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


def add_attachment(
    *, actor: Any, case: Case, name: str, data: bytes, public: bool = False, as_client: bool = False
) -> CaseAttachment:
    """Store a file after checking its real type, size and the virus scanner's verdict.

    ``as_client`` marks a file sent by the public with its report (the portal), with no staff actor.
    """
    try:
        checked = files.check(data)
    except files.UploadRejected as exc:
        if exc.reason.startswith("virus:"):
            audit.record(
                "case.attachment_rejected",
                actor=actor,
                obj=case,
                organisation_id=case.organisation_id,
                data={"reason": exc.reason.removeprefix("virus:"), "name": name[:200]},
            )
        raise CaseInputError({"file": exc.message}) from exc
    with transaction.atomic():
        case = _lock(case, None)
        if not as_client and not access.actor_kinds(actor, case):
            raise PermissionDenied(_("You may not add files to this case."))
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        attachment = CaseAttachment(
            case=case,
            # A clean name with the extension of the real type, never the sender's ``page.html``.
            original_name=files.display_name(name, checked.content_type),
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            is_public=public,
            uploaded_by=actor if authenticated else None,
            created_at=clock.now(),
        )
        attachment.file.save("upload", ContentFile(data), save=False)
        attachment.save()
        audit.record(
            "case.attachment_added",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            data={"attachment": str(attachment.uuid), "type": checked.content_type, "size": checked.size},
        )
        _timeline(
            case,
            "attachment",
            actor,
            _("File added: %(name)s") % {"name": attachment.original_name},
            public=public,
            attachment=str(attachment.uuid),
        )
        events.emit(
            "case.updated", obj=case, organisation_id=case.organisation_id, payload=_payload(case, change="attachment")
        )
    return attachment


# -- split and merge -------------------------------------------------------------------------
def split_case(
    *, actor: Any, case: Case, parts: Sequence[Mapping[str, Any]], expected_version: int | None = None
) -> list[Case]:
    """Split ``case`` into sub-cases, one per ``{"unit": Organisation, "description": str}``."""
    if len(parts) < 2:
        raise CaseInputError({"parts": _("A split needs at least two parts.")})
    with transaction.atomic():
        locked = _lock(case, expected_version)
        kinds = _require_work(actor, locked)
        check_transition(locked.status, Status.SPLIT, kinds)
        children = []
        for part in parts:
            unit = part["unit"]
            if not unit.is_within(locked.organisation):
                raise OutOfScope(_("%(unit)s is outside the jurisdiction of this case.") % {"unit": unit})
            now = clock.now()
            child = Case.objects.create(
                number=next_number(locked.organisation, now.astimezone(clock.WARSAW).year),
                organisation=locked.organisation,
                service=part.get("service") or locked.service,
                description=str(part.get("description") or locked.description),
                status=Status.ASSIGNED,
                priority=locked.priority,
                channel=locked.channel,
                client=locked.client,
                reporter_name=locked.reporter_name,
                reporter_email=locked.reporter_email,
                reporter_phone=locked.reporter_phone,
                latitude=locked.latitude,
                longitude=locked.longitude,
                address=locked.address,
                gmina=locked.gmina,
                assigned_unit=unit,
                sla_basis=locked.sla_basis,
                response_due=locked.response_due,
                resolve_due=locked.resolve_due,
                resolve_due_3x=locked.resolve_due_3x,
                answers=locked.answers,
                parent=locked,
                created_at=now,
                updated_at=now,
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


def merge_cases(*, actor: Any, case: Case, into: Case, message: str = "", expected_version: int | None = None) -> Case:
    """Mark ``case`` as a duplicate of ``into``; its reporter is informed with a public note and
    becomes a party of ``into``."""
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
        check_transition(locked.status, Status.DUPLICATE, kinds)
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
    *, actor: Any, case: Case, role: str, name: str = "", email: str = "", phone: str = "", client: Any = None
) -> CaseParty:
    if role not in CaseParty.Role.values:
        raise CaseInputError({"role": _("Unknown role.")})
    with transaction.atomic():
        case = _lock(case, None)
        if not access.actor_kinds(actor, case):
            raise PermissionDenied(_("You may not change this case."))
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


# -- details ---------------------------------------------------------------------------------
EDITABLE = ["description", "priority", "latitude", "longitude", "address", "gmina"]


def update_case(
    *,
    actor: Any,
    case: Case,
    description: str | None = None,
    priority: str | None = None,
    location: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Correct the description, the priority or the place of an unfinished case.

    Experts and supervisors of the case may correct the description and the place; changing
    the priority is a supervisor's decision. ``location`` is merged into the current place (keys
    left out keep their value). Service, assignment and status have their own actions. A call
    that changes nothing writes nothing. The audit entry lists every changed field (old → new).
    """
    with transaction.atomic():
        case = _lock(case, expected_version)
        kinds = _require_work(actor, case)
        if priority is not None and priority != case.priority and ActorKind.SUPERVISOR not in kinds:
            raise PermissionDenied(_("Only a supervisor may change the priority."))
        if case.is_finished:
            raise TransitionNotAllowed(case.status, case.status, "a finished case cannot be changed")
        errors: dict[str, str] = {}
        new_description = case.description if description is None else description.strip()
        if not new_description:
            errors["description"] = _("Describe the matter.")
        if priority is not None and priority not in Priority.values:
            errors["priority"] = _("Unknown priority.")
        place: dict[str, Any] | None = None
        if location is not None:
            merged: dict[str, Any] = {
                "latitude": case.latitude,
                "longitude": case.longitude,
                "address": case.address,
                "gmina_code": case.gmina_id or "",
                **location,
            }
            try:
                place = clean_location(merged, required=case.service.location_required)
            except CaseInputError as exc:
                errors.update(exc.errors)
        if errors:
            raise CaseInputError(errors)
        before = audit.snapshot(case, EDITABLE)
        case.description = new_description
        if priority is not None:
            case.priority = priority
        if place is not None:
            case.latitude, case.longitude = place["latitude"], place["longitude"]
            case.address, case.gmina = place["address"], place["gmina"]
        changes = audit.diff(before, audit.snapshot(case, EDITABLE))
        if not changes:
            return case
        case.version += 1
        case.updated_at = clock.now()
        case.save()
        changes["version"] = [case.version - 1, case.version]
        audit.record("case.updated", actor=actor, obj=case, organisation_id=case.organisation_id, changes=changes)
        fields = sorted(name for name in changes if name != "version")
        labels = ", ".join(str(getattr(Case._meta.get_field(name), "verbose_name", name)) for name in fields)
        _timeline(case, "updated", actor, _("Details changed: %(fields)s") % {"fields": labels}, fields=fields)
        events.emit(
            "case.updated",
            obj=case,
            organisation_id=case.organisation_id,
            payload=_payload(case, change="details", fields=fields),
        )
    return case

"""Opening a case and correcting what it was opened with (description, priority, place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.cases import access, routing, sla
from okienko.cases.actions.base import (
    OutOfScope,
    _event,
    _lock,
    _payload,
    _require_work,
    _timeline,
    create_case,
)
from okienko.cases.intake import CaseInputError, check_case_input, clean_location
from okienko.cases.models import Case, CaseAttachment, CaseEvent, CaseParty, Priority
from okienko.cases.workflow import ActorKind, CaseFinished
from okienko.catalogue import rules
from okienko.catalogue.models import PRIORITY_RANK
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden, Message
from okienko.core.uploads import CheckedFile


# -- open ------------------------------------------------------------------------------------
def open_case(
    *,
    actor: Actor,
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
    received_at: dt.datetime | None = None,
) -> Case:
    """Register a case, route it and set its deadlines.

    ``as_client`` marks a case filed by the public (portal, Open311) with no staff actor;
    ``questions``: the service's questions with choices, when the caller already has them;
    ``external_token``: the token a channel already gave the requester (Open311 queued intake);
    ``received_at``: when the office received the matter (a letter or fax registered later, never
    in the future): the case is created then and its SLA clock starts then (ADR 0054).

    The service's priority rules (``catalogue.rules``) decide the priority and may shorten the
    deadlines from the answers; an explicit ``priority`` wins only when it is higher. Callers that
    open many cases of one service load the rules with the service (``rules.prefetch()``).
    """
    if not as_client and not access.can_open_in(actor, organisation):
        raise Forbidden(_("You may not open cases for this organisation."))
    if not organisation.is_within(service.organisation):
        raise OutOfScope(_("The service belongs to another jurisdiction."))
    description, cleaned_answers, place = check_case_input(
        service, description=description, answers=answers, location=location, priority=priority, questions=questions
    )
    decision = rules.decide(rules.rules_of(service), cleaned_answers)
    priority, reason = _priority(priority, decision)
    basis = (decision.sla_basis if decision else None) or service.sla_basis
    response_due = (decision.response_due if decision else None) or service.response_due
    resolve_due = (decision.resolve_due if decision else None) or service.resolve_due
    reporter = dict(reporter or {})
    now = clock.now()
    start = _clock_start(received_at, now)
    territory = place["gmina"].code if place["gmina"] else (client.gmina_id or "" if client is not None else "")
    with audit.batch():  # one transaction; the audit chain is locked only at its end
        target = routing.route(
            jurisdiction=organisation, service=service, territory_code=territory, answers=cleaned_answers, at=now
        )
        calendar = sla.calendar_of(service, target.unit)
        due = sla.deadlines(sla.Rule(basis, response_due, resolve_due), start, calendar)
        case = create_case(
            organisation=organisation,
            service=service,
            description=description,
            unit=target.unit,
            now=now,
            due=due,
            sla_basis=basis,
            reporter=reporter,
            place=place,
            priority=priority,
            priority_rule=decision.rule if decision and reason else None,
            priority_reason=reason[:200],
            channel=channel,
            client=client,
            routing_rule=target.rule,
            answers=cleaned_answers,
            media_url=media_url or "",
            received_at=start if start != now else None,
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
            data={
                "route": target.reason,
                "rule": target.rule.pk if target.rule else None,
                **({"priority": priority, "priority_rule": reason} if reason else {}),
                **({"received_at": start} if start != now else {}),
            },
        )
        timeline = [
            _event(
                case,
                "opened",
                actor,
                _("Case registered"),
                public=True,
                channel=channel,
                **({"received_at": start} if start != now else {}),
            ),
            _event(
                case,
                "assigned",
                actor,
                _("Routed to %(unit)s") % {"unit": target.unit},
                unit_id=target.unit.pk,
                route=target.reason,
            ),
        ]
        if reason:
            timeline.append(
                _event(
                    case,
                    "prioritised",
                    actor,
                    _("Priority %(priority)s set by the rule “%(rule)s”")
                    % {"priority": case.get_priority_display(), "rule": reason},
                    priority=priority,
                    rule=reason,
                )
            )
        CaseEvent.objects.bulk_create(timeline)
        if interaction is not None:
            _link_interaction(interaction, case, actor)
        events.emit(
            "case.created",
            obj=case,
            organisation_id=organisation.pk,
            payload=_payload(case, service_id=service.pk, client_id=case.client_id, route=target.reason),
        )
    return case


def _clock_start(received_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When the case's clock starts: ``received_at`` when given (an aware time, not in the future),
    else now."""
    if received_at is None:
        return now
    if received_at.tzinfo is None:
        raise CaseInputError({"received_at": _("Give the time received with its time zone.")})
    if received_at > now:
        raise CaseInputError({"received_at": _("The date received cannot be in the future.")})
    return received_at


def _priority(explicit: str | None, decision: rules.Decision | None) -> tuple[str, str]:
    """The priority to open with and the name of the rule that set it ("" when none did)."""
    chosen = explicit or Priority.NORMAL
    if decision is None:
        return chosen, ""
    if explicit and PRIORITY_RANK[Priority(explicit)] > PRIORITY_RANK[Priority(decision.priority)]:
        return chosen, ""
    return decision.priority, decision.rule.name


def _link_interaction(interaction: Any, case: Case, actor: Actor) -> None:
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
    _attach_scans(interaction, case, actor)


def _attach_scans(interaction: Any, case: Case, actor: Actor) -> None:
    """The scans of the letter or fax the case is opened from go with it as its (internal)
    attachments, copied: each keeps its own life (ADR 0054)."""
    scans = getattr(interaction, "attachments", None)
    if scans is None:
        return
    now = clock.now()
    for scan in scans.all():
        with scan.file.open("rb") as stream:
            data = stream.read()
        attachment = CaseAttachment(case=case, is_public=False, uploaded_by=scan.uploaded_by, created_at=now)
        attachment.store(data, CheckedFile(scan.content_type, scan.size, scan.sha256), sent_name=scan.original_name)
        audit.record(
            "case.attachment_added",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            data={
                "attachment": str(attachment.uuid),
                "type": attachment.content_type,
                "size": attachment.size,
                "from_contact": str(interaction.uuid),
            },
        )
        _timeline(
            case,
            "attachment",
            actor,
            _("File added: %(name)s") % {"name": attachment.original_name},
            attachment=str(attachment.uuid),
        )


# -- details ---------------------------------------------------------------------------------
EDITABLE = ["description", "priority", "latitude", "longitude", "address", "gmina"]


def update_case(
    *,
    actor: Actor,
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
            raise Forbidden(_("Only a supervisor may change the priority."))
        if case.is_finished:
            raise CaseFinished(case.status, case.status, "a finished case cannot be changed")
        errors: dict[str, Message] = {}
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

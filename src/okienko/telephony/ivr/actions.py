"""Writes about IVR flows, each in one transaction with its audit entry: new drafts, their edits,
publication (validated; the version before is retired) and retirement."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation, User
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.telephony.ivr.models import EntryNumber, Flow, FlowVersion, describe_all


class FlowInvalid(ValidationError):
    """Publishing refused; ``messages`` says why, one line per problem (translated)."""


def create_draft(*, actor: Actor, flow: Flow, definition: dict[str, Any], note: str = "") -> FlowVersion:
    with transaction.atomic():
        version = FlowVersion(flow=flow, definition=definition, note=note)
        version.save()
        audit.record(
            "telephony_ivr.draft_created",
            actor=actor,
            obj=version,
            organisation_id=flow.organisation_id,
            data={"flow": flow.code, "version": version.number},
        )
    return version


def update_draft(*, actor: Actor, version: FlowVersion, definition: dict[str, Any], note: str | None = None) -> None:
    """Change a draft (a published version refuses: ``FlowVersion.save`` raises)."""
    if not version.editable:
        raise ValidationError(_("A published version cannot be changed; make a new draft instead."))
    with transaction.atomic():
        before = audit.snapshot(version, ["definition", "note"])
        version.definition = definition
        if note is not None:
            version.note = note
        version.save()
        audit.record(
            "telephony_ivr.draft_changed",
            actor=actor,
            obj=version,
            organisation_id=version.flow.organisation_id,
            changes=audit.diff(before, audit.snapshot(version, ["definition", "note"])),
        )


def publish(*, actor: Actor, version: FlowVersion) -> FlowVersion:
    """Publish a draft: callers hear it from the next call on. Raises :class:`FlowInvalid` with
    the reasons when the flow does not validate."""
    if version.status != FlowVersion.Status.DRAFT:
        raise FlowInvalid(_("Only a draft can be published."))
    problems = version.problems()
    if problems:
        raise FlowInvalid(describe_all(problems))
    staff = actor if isinstance(actor, User) else None
    with transaction.atomic():
        previous = list(
            FlowVersion.objects.select_for_update().filter(flow=version.flow, status=FlowVersion.Status.PUBLISHED)
        )
        version.status = FlowVersion.Status.PUBLISHED
        version.published_at = clock.now()
        version.published_by = staff
        version.save()
        for old in previous:
            _retire(actor, old)
        audit.record(
            "telephony_ivr.version_published",
            actor=actor,
            obj=version,
            organisation_id=version.flow.organisation_id,
            changes={"status": [FlowVersion.Status.DRAFT, FlowVersion.Status.PUBLISHED]},
            data={"flow": version.flow.code, "version": version.number, "retired": [v.number for v in previous]},
        )
    return version


def retire(*, actor: Actor, version: FlowVersion) -> None:
    """Take a published version out of service (its entry numbers fall back to none)."""
    if version.status != FlowVersion.Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    with transaction.atomic():
        _retire(actor, version)


def _retire(actor: Actor, version: FlowVersion) -> None:
    version.status = FlowVersion.Status.RETIRED
    version.save(update_fields=["status"])
    audit.record(
        "telephony_ivr.version_retired",
        actor=actor,
        obj=version,
        organisation_id=version.flow.organisation_id,
        changes={"status": [FlowVersion.Status.PUBLISHED, FlowVersion.Status.RETIRED]},
    )


# -- the desk's IVR editor (issue 16) ---------------------------------------------------------------
STARTER: dict[str, Any] = {
    "start": "welcome",
    "nodes": {
        "welcome": {"type": "play", "text": "Dzień dobry.", "next": "end"},
        "end": {"type": "hangup", "text": "Do widzenia."},
    },
}


def create_flow(*, actor: Actor, organisation: Organisation, code: str, name: str) -> Flow:
    """A new flow with a first draft that already validates (a greeting, then hang up)."""
    with transaction.atomic():
        flow = Flow.objects.create(organisation=organisation, code=code, name=name)
        audit.record(
            "telephony_ivr.flow_created",
            actor=actor,
            obj=flow,
            organisation_id=organisation.pk,
            changes={"code": [None, code], "name": [None, name]},
        )
        create_draft(actor=actor, flow=flow, definition=json.loads(json.dumps(STARTER)), note="new flow")
    return flow


NUMBER_FIELDS = ["number", "name", "flow", "active", "organisation"]


def create_entry_number(*, actor: Actor, number: str, name: str, flow: Flow) -> EntryNumber:
    """A number callers dial, leading to ``flow`` (which must have a published version)."""
    _require_published(flow)
    with transaction.atomic():
        entry = EntryNumber(number=number, name=name, flow=flow, organisation=flow.organisation, active=True)
        entry.full_clean()
        entry.save()
        audit.record(
            "telephony_ivr.entry_number_created",
            actor=actor,
            obj=entry,
            organisation_id=flow.organisation_id,
            changes=audit.diff({}, audit.snapshot(entry, NUMBER_FIELDS)),
        )
    return entry


def change_entry_number(*, actor: Actor, entry: EntryNumber, flow: Flow, active: bool) -> None:
    """Point a number at another flow (with a published version) and/or switch it on or off."""
    if flow.pk != entry.flow_id:
        _require_published(flow)
    with transaction.atomic():
        before = audit.snapshot(entry, NUMBER_FIELDS)
        entry.flow, entry.organisation, entry.active = flow, flow.organisation, active
        entry.save()
        changes = audit.diff(before, audit.snapshot(entry, NUMBER_FIELDS))
        if changes:
            audit.record(
                "telephony_ivr.entry_number_changed",
                actor=actor,
                obj=entry,
                organisation_id=flow.organisation_id,
                changes=changes,
            )


def _require_published(flow: Flow) -> None:
    if flow.current_version() is None:
        raise ValidationError(_("Choose a flow that has a published version."))

"""Writes about contacts and callbacks, each in one transaction with audit entry and domain event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.catalogue.models import Service
from okienko.clients.models import Client
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.choices import Channel
from okienko.core.errors import InvalidInput
from okienko.interactions.models import Callback, Interaction


class InteractionError(InvalidInput):
    """A contact record was refused; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)


def _require(actor: Actor, perm: str, organisation: Organisation) -> None:
    if actor is not None:
        access.require_perm_in(actor, perm, organisation)


def record_interaction(
    *,
    actor: Actor,
    channel: str,
    organisation: Organisation,
    client: Client | None = None,
    direction: str = Interaction.Direction.IN,
    service: Service | None = None,
    question: str = "",
    outcome: str = Interaction.Outcome.ANSWERED,
    notes: str = "",
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    contact_name: str = "",
    contact_detail: str = "",
    case: Any = None,
) -> Interaction:
    """Record one contact (with a client, or anonymous) in the client's history."""
    _require(actor, Perm.INTERACTIONS_RECORD, organisation)
    if client is not None:
        _require(actor, Perm.CLIENTS_VIEW, client.home_office)
        if client.merged_into_id:
            raise InteractionError(_("This client record was merged; use the current one."), field="client")
    if channel not in Channel.values:
        raise InteractionError(_("Unknown channel."), field="channel")
    if outcome not in Interaction.Outcome.values:
        raise InteractionError(_("Unknown outcome."), field="outcome")
    if direction not in Interaction.Direction.values:
        raise InteractionError(_("Unknown direction."), field="direction")
    now = clock.now()
    started = started_at or now
    if ended_at is not None and ended_at < started:
        raise InteractionError(_("A contact cannot end before it starts."), field="ended_at")
    with transaction.atomic():
        interaction = Interaction.objects.create(
            channel=channel,
            direction=direction,
            client=client,
            organisation=organisation,
            staff=actor if isinstance(actor, User) else None,
            started_at=started,
            ended_at=ended_at or (now if started_at is None else None),
            service=service,
            question=question[:500],
            outcome=outcome,
            notes=notes,
            contact_name=contact_name,
            contact_detail=contact_detail,
            case=case,
        )
        audit.record(
            "interactions.recorded",
            actor=actor,
            obj=interaction,
            organisation_id=organisation.pk,
            data={
                "channel": channel,
                "outcome": outcome,
                "client": client.number if client else None,
                "service": service.code if service else None,
                "case": case.number if case is not None else None,
            },
        )
        events.emit(
            "interaction.recorded",
            obj=interaction,
            organisation_id=organisation.pk,
            payload={
                "interaction": interaction.pk,
                "uuid": interaction.uuid,
                "channel": channel,
                "outcome": outcome,
                "client": client.pk if client else None,
                "client_uuid": client.uuid if client else None,
                "service": service.pk if service else None,
            },
        )
    return interaction


def request_callback(
    *,
    actor: Actor,
    organisation: Organisation,
    reason: str,
    due_at: dt.datetime,
    target_unit: Organisation | None = None,
    target_user: User | None = None,
    client: Client | None = None,
    interaction: Interaction | None = None,
    phone: str = "",
) -> Callback:
    """Create a callback / hand-off for a unit or a person; it shows in their "my callbacks" list."""
    _require(actor, Perm.INTERACTIONS_RECORD, organisation)
    if target_unit is None and target_user is None:
        raise InteractionError(_("Choose the unit or the person who should call back."), field="target")
    if not reason.strip():
        raise InteractionError(_("Say what the callback is about."), field="reason")
    if due_at < clock.now() - dt.timedelta(minutes=5):
        raise InteractionError(_("The due time is in the past."), field="due_at")
    if interaction is not None and client is None:
        client = interaction.client
    with transaction.atomic():
        callback = Callback.objects.create(
            organisation=organisation,
            interaction=interaction,
            client=client,
            target_unit=target_unit,
            target_user=target_user,
            phone=phone,
            reason=reason,
            due_at=due_at,
            created_by=actor if isinstance(actor, User) else None,
            created_at=clock.now(),
        )
        audit.record(
            "interactions.callback_created",
            actor=actor,
            obj=callback,
            organisation_id=organisation.pk,
            data={
                "client": client.number if client else None,
                "target_unit": target_unit.code if target_unit else None,
                "target_user": target_user.username if target_user else None,
                "due_at": due_at,
            },
        )
        events.emit(
            "callback.created",
            obj=callback,
            organisation_id=organisation.pk,
            payload={
                "callback": callback.pk,
                "uuid": callback.uuid,
                "client": client.pk if client else None,
                "target_unit": target_unit.pk if target_unit else None,
                "target_user": target_user.pk if target_user else None,
            },
        )
    return callback


def may_close(user: Actor, callback: Callback) -> bool:
    if callback.target_user_id is not None and callback.target_user_id == getattr(user, "pk", None):
        return True
    units = [u for u in (callback.target_unit, callback.organisation) if u is not None]
    return any(access.has_perm_in(user, Perm.INTERACTIONS_RECORD, unit) for unit in units)


def close_callback(*, actor: Actor, callback: Callback, status: str, result: str = "") -> Callback:
    """Close a callback as done or failed; the outcome goes onto the client's contact history."""
    if status not in (Callback.Status.DONE, Callback.Status.FAILED):
        raise InteractionError(_("A callback is closed as done or failed."), field="status")
    if actor is not None and not may_close(actor, callback):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback.pk)
        if callback.status != Callback.Status.CREATED:
            raise InteractionError(_("This callback is already closed."), field="status")
        before = audit.snapshot(callback, ["status", "result"])
        callback.status = status
        callback.result = result
        callback.closed_by = actor if isinstance(actor, User) else None
        callback.closed_at = clock.now()
        callback.save(update_fields=["status", "result", "closed_by", "closed_at"])
        audit.record(
            "interactions.callback_closed",
            actor=actor,
            obj=callback,
            organisation_id=callback.organisation_id,
            changes=audit.diff(before, audit.snapshot(callback, ["status", "result"])),
        )
        events.emit(
            "callback.closed",
            obj=callback,
            organisation_id=callback.organisation_id,
            payload={"callback": callback.pk, "uuid": callback.uuid, "status": status},
        )
    return callback

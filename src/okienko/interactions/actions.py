"""Writes about contacts and callbacks, each in one transaction with audit entry and domain event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.catalogue.models import Service
from okienko.clients.models import Client
from okienko.core import audit, clock, events, uploads
from okienko.core.actors import Actor
from okienko.core.choices import Channel
from okienko.core.errors import InvalidInput, Message
from okienko.core.models import AuditRecord
from okienko.interactions.models import PAPER_CHANNELS, Callback, Interaction, InteractionAttachment


class InteractionError(InvalidInput):
    """A contact record was refused; ``message`` is shown to the user, ``field`` names the input
    (``errors``: every refused input, when there are several)."""

    def __init__(self, message: Message, *, field: str | None = None, errors: dict[str, Message] | None = None) -> None:
        super().__init__(message, field=field, errors=errors)


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
    if started.year < 2000:  # a slip of the keyboard, and near 0001-01-01 the move to UTC overflows
        raise InteractionError(_("Choose dates between 2000 and 2100."), field="started_at")
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


# -- letters, faxes and visits at the counter (issue 14) --------------------------------------
REFERENCE_MAX = 100
MAX_SCANS = 10
OLDEST_RECEIPT = dt.timedelta(days=5 * 366)  # a letter found in a drawer, not a typing mistake


def max_scan_bytes() -> int:
    return int(getattr(settings, "INTERACTIONS_MAX_SCAN_BYTES", uploads.DEFAULT_MAX_BYTES))


def received_moment(day: dt.date) -> dt.datetime:
    """When the office received a paper contact dated ``day`` (ADR 0054): now when it is today,
    else the start of that day in Warsaw, so a case opened from it is never given more time than
    it had from the receipt."""
    now = clock.now()
    if day >= now.astimezone(clock.WARSAW).date():
        return now
    return dt.datetime.combine(day, dt.time(), clock.WARSAW).astimezone(dt.UTC)


def check_received_on(day: dt.date | None) -> Message | None:
    """What is wrong with the date received (``None`` when it may be used)."""
    today = clock.local_now().date()
    if day is None:
        return _("Give the date the office received it.")
    if day > today:
        return _("The date received cannot be in the future.")
    if day < today - OLDEST_RECEIPT:
        return _("The date received is more than five years ago; check it.")
    return None


def check_scan(actor: Actor, organisation: Organisation, name: str, data: bytes) -> uploads.CheckedFile:
    """A scan's real type, size and the virus scanner's verdict (``InteractionError`` on ``scans``);
    a refusal is audited with its reason."""
    try:
        return uploads.check(data, max_bytes=max_scan_bytes())
    except uploads.UploadRejected as exc:
        audit.record(
            "interactions.scan_rejected",
            actor=actor,
            organisation_id=organisation.pk,
            data={"reason": exc.reason, "name": name[:200], "size": len(data)},
            kind=AuditRecord.Kind.SECURITY if exc.reason.startswith(("virus:", "type:")) else AuditRecord.Kind.CHANGE,
        )
        message = _("%(name)s: %(problem)s") % {"name": uploads.safe_name(name)[:80], "problem": exc.message}
        raise InteractionError(message, field="scans") from exc


def register_paper_contact(
    *,
    actor: Actor,
    organisation: Organisation,
    channel: str,
    received_on: dt.date | None,
    question: str,
    reference_number: str = "",
    client: Client | None = None,
    service: Service | None = None,
    notes: str = "",
    contact_name: str = "",
    contact_address: str = "",
    contact_detail: str = "",
    scans: Sequence[tuple[str, bytes]] = (),
) -> Interaction:
    """Register a paper letter, a fax or a visit at the counter with its scans.

    ``received_on`` (never in the future) is when the office received it: the contact is dated
    then and a case opened from it counts its deadlines from then (``received_moment``). Every
    problem of the input is reported at once (``InteractionError.errors``); a refused scan is
    audited. Anonymous letters (no ``client``) keep the sender's name and address.
    """
    _require(actor, Perm.INTERACTIONS_RECORD, organisation)
    if client is not None:
        _require(actor, Perm.CLIENTS_VIEW, client.home_office)
        if client.merged_into_id:
            raise InteractionError(_("This client record was merged; use the current one."), field="client")
    errors: dict[str, Message] = {}
    if channel not in PAPER_CHANNELS:
        errors["channel"] = _("Choose a letter, a fax or a visit at the counter.")
    question = question.strip()
    if not question:
        errors["question"] = _("Give the subject of the letter or visit.")
    elif len(question) > 500:
        errors["question"] = _("The subject is longer than 500 characters; put the rest in the notes.")
    reference_number = reference_number.strip()
    if len(reference_number) > REFERENCE_MAX:
        errors["reference_number"] = _("A reference number has at most %(limit)d characters.") % {
            "limit": REFERENCE_MAX
        }
    problem = check_received_on(received_on)
    if problem is not None:
        errors["received_on"] = problem
    if len(contact_name) > 200 or len(contact_address) > 300 or len(contact_detail) > 254:
        errors["contact_name"] = _("The sender's details are too long.")
    if len(scans) > MAX_SCANS:
        errors["scans"] = _("Attach at most %(count)d scans.") % {"count": MAX_SCANS}
    checked: list[tuple[str, bytes, uploads.CheckedFile]] = []
    if "scans" not in errors:
        for name, data in scans:
            try:
                checked.append((name, data, check_scan(actor, organisation, name, data)))
            except InteractionError as exc:
                errors["scans"] = exc.message
                break
    if errors:
        first = next(iter(errors.values()))
        raise InteractionError(first, errors=errors)
    assert received_on is not None
    received = received_moment(received_on)
    now = clock.now()
    with transaction.atomic():
        interaction = Interaction.objects.create(
            channel=channel,
            direction=Interaction.Direction.IN,
            client=client,
            organisation=organisation,
            staff=actor if isinstance(actor, User) else None,
            started_at=received,
            ended_at=now if channel == Channel.COUNTER and received_on == now.astimezone(clock.WARSAW).date() else None,
            received_at=received,
            service=service,
            question=question,
            outcome=Interaction.Outcome.OTHER if channel != Channel.COUNTER else Interaction.Outcome.ANSWERED,
            notes=notes,
            reference_number=reference_number,
            contact_name=contact_name.strip() if client is None else "",
            contact_address=contact_address.strip() if client is None else "",
            contact_detail=contact_detail.strip() if client is None else "",
        )
        stored = []
        for name, data, facts in checked:
            scan = InteractionAttachment(
                interaction=interaction, uploaded_by=actor if isinstance(actor, User) else None, created_at=now
            )
            scan.store(data, facts, sent_name=name)
            stored.append(scan)
        audit.record(
            "interactions.recorded",
            actor=actor,
            obj=interaction,
            organisation_id=organisation.pk,
            data={
                "channel": channel,
                "outcome": interaction.outcome,
                "client": client.number if client else None,
                "service": service.code if service else None,
                "case": None,
                "reference_number": reference_number,
                "received_at": received,
                "scans": [s.as_payload() for s in stored],
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
                "outcome": interaction.outcome,
                "client": client.pk if client else None,
                "client_uuid": client.uuid if client else None,
                "service": service.pk if service else None,
                "received_at": received,
                "scans": len(stored),
            },
        )
    return interaction

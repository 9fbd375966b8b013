"""Triage of received e-mail (the desk's e-mail queue): claim, link to a client, open a case,
mark as spam, mark as done. Each checks the actor's right on the message's organisation, runs in
one transaction with its audit entry and the ``email.triaged`` event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access as accounts_access
from okienko.accounts.access import user_of
from okienko.accounts.roles import Perm
from okienko.cases import access as case_access
from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.channels import access
from okienko.channels.email import pipeline
from okienko.channels.models import InboundMessage
from okienko.clients.models import Client
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.choices import Channel
from okienko.core.errors import Conflict, Forbidden, InvalidInput
from okienko.interactions.models import Interaction

S = InboundMessage.Status
CLAIM_TIMEOUT = dt.timedelta(minutes=30)  # a claim older than this may be taken over
_OPEN = frozenset({S.TRIAGE, S.LINKED, S.QUARANTINED, S.RECEIVED})


class TriageError(InvalidInput):
    """The triage step was refused; ``message`` is shown to the user."""


def _locked(actor: Actor, message: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().select_related("organisation", "mailbox").get(pk=message.pk)
    if not access.can_handle(actor, locked):
        raise Forbidden(_("You may not handle this message."))
    return locked


def _claimed_by_other(actor: Actor, message: InboundMessage) -> bool:
    me = user_of(actor)
    if message.claimed_by_id is None or (me is not None and message.claimed_by_id == me.pk):
        return False
    return message.claimed_at is not None and clock.now() - message.claimed_at < CLAIM_TIMEOUT


def _record(action: str, actor: Actor, message: InboundMessage, before: dict[str, Any], **data: Any) -> None:
    fields = ["status", "status_reason", "claimed_by", "client", "case"]
    audit.record(
        action,
        actor=actor,
        obj=message,
        organisation_id=message.organisation_id,
        changes=audit.diff(before, audit.snapshot(message, fields)),
        data=data,
    )
    events.emit(
        "email.triaged",
        obj=message,
        organisation_id=message.organisation_id,
        payload={
            "inbound_id": message.pk,
            "action": action,
            "status": message.status,
            "client_id": message.client_id,
            "case_id": message.case_id,
            "claimed_by": message.claimed_by_id,
        },
    )


def _snapshot(message: InboundMessage) -> dict[str, Any]:
    return audit.snapshot(message, ["status", "status_reason", "claimed_by", "client", "case"])


def _require_open(message: InboundMessage) -> None:
    if message.status not in _OPEN:
        raise Conflict(_("This message has already been dealt with."))


def claim_message(*, actor: Actor, message: InboundMessage, take_over: bool = False) -> InboundMessage:
    """Take the message to handle it; someone else's fresh claim is only taken over on purpose."""
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        if _claimed_by_other(actor, message) and not take_over:
            raise Conflict(_("Someone else is handling this message."))
        before = _snapshot(message)
        message.claimed_by = user_of(actor)
        message.claimed_at = clock.now()
        message.save(update_fields=["claimed_by", "claimed_at"])
        _record("email.claimed", actor, message, before)
    return message


def release_message(*, actor: Actor, message: InboundMessage) -> InboundMessage:
    with transaction.atomic():
        message = _locked(actor, message)
        before = _snapshot(message)
        message.claimed_by, message.claimed_at = None, None
        message.save(update_fields=["claimed_by", "claimed_at"])
        _record("email.released", actor, message, before)
    return message


def client_suggestions(actor: Actor, message: InboundMessage, *, limit: int = 10) -> list[Client]:
    """Clients the sender may be, by address, among those ``actor`` may see."""
    found = pipeline.suggest_clients(message.organisation.controller_path, message.from_address, limit=limit)
    return [c for c in found if accounts_access.has_perm_in(actor, Perm.CLIENTS_VIEW, c.home_office)]


def link_message_to_client(*, actor: Actor, message: InboundMessage, client: Client) -> InboundMessage:
    """Say who sent the message: the contact joins the client's history."""
    if not accounts_access.has_perm_in(actor, Perm.CLIENTS_VIEW, client.home_office):
        raise Forbidden(_("You may not see this client."))
    if client.merged_into_id:
        raise TriageError(_("This client record was merged; use the current one."), field="client")
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        if not client.home_office.path.startswith(message.organisation.controller_path):
            raise TriageError(_("The client belongs to another data controller."), field="client")
        before = _snapshot(message)
        message.client = client
        if message.status in {S.TRIAGE, S.RECEIVED}:
            message.status = S.LINKED
        message.save(update_fields=["client", "status"])
        if message.interaction_id:
            Interaction.objects.filter(pk=message.interaction_id).update(
                client=client, contact_name="", contact_detail=""
            )
        _record("email.client_linked", actor, message, before, client=client.number)
    return message


def open_case_from_message(*, actor: Actor, message: InboundMessage, service: Service, description: str = "") -> Case:
    """Open a case from the message (the intake action: routing, deadlines), with its files."""
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        parsed_text = description.strip() or (
            f"{message.subject}\n\n{message.body}".strip() if message.subject else message.body
        )
        case = case_actions.open_case(
            actor=actor,
            organisation=pipeline.jurisdiction(message.organisation, service),
            service=service,
            description=parsed_text or _("(no text)"),
            channel=Channel.EMAIL,
            client=message.client,
            reporter={"name": message.from_name, "email": message.from_address},
            interaction=message.interaction,
        )
        before = _snapshot(message)
        message.case, message.status, message.status_reason = case, S.CASE_CREATED, ""
        message.save(update_fields=["case", "status", "status_reason"])
        pipeline.attach_to_case(message, case)
        _record("email.case_opened", actor, message, before, case=case.number)
    return case


def add_message_to_case(*, actor: Actor, message: InboundMessage, case: Case) -> InboundMessage:
    """Put a message that did not find its case by itself onto the case a person chose."""
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        if not case.organisation.path.startswith(message.organisation.controller_path):
            raise TriageError(_("The case belongs to another data controller."), field="case")
        if not case_access.actor_kinds(actor, case):
            raise Forbidden(_("You may not work on this case."))
        case_actions.add_client_message(
            case=case,
            body=message.body,
            channel=Channel.EMAIL,
            actor=actor,
            sender=message.from_address,
            interaction=message.interaction,
            data={"inbound": message.pk},
        )
        if message.interaction_id:
            Interaction.objects.filter(pk=message.interaction_id).update(case=case)
        before = _snapshot(message)
        message.case, message.status, message.status_reason = case, S.THREADED, ""
        message.save(update_fields=["case", "status", "status_reason"])
        pipeline.attach_to_case(message, case)
        _record("email.added_to_case", actor, message, before, case=case.number)
    return message


def mark_spam(*, actor: Actor, message: InboundMessage) -> InboundMessage:
    """Spam: out of the queue; the raw message stays for the record."""
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        before = _snapshot(message)
        message.status, message.is_spam = S.SPAM, True
        message.save(update_fields=["status", "is_spam"])
        _record("email.marked_spam", actor, message, before)
    return message


def mark_done(*, actor: Actor, message: InboundMessage, note: str = "") -> InboundMessage:
    """Nothing more to do (answered at once, a thank-you, a duplicate)."""
    with transaction.atomic():
        message = _locked(actor, message)
        _require_open(message)
        before = _snapshot(message)
        message.status, message.status_reason = S.DONE, note.strip()[:500]
        message.save(update_fields=["status", "status_reason"])
        _record("email.marked_done", actor, message, before)
    return message

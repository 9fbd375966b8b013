"""What the client sends on a case by themselves (an e-mail reply, a message from the portal):
kept on the case, and an answer to a question moves the case back to work."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.cases.actions.base import TRACKED, _apply_status, _lock, _payload, _save, _timeline
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseNote
from okienko.cases.workflow import ActorKind, Status, check_transition
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.choices import Channel

MAX_BODY = 100_000


def add_client_message(
    *,
    case: Case,
    body: str,
    channel: str,
    actor: Actor = None,
    sender: str = "",
    interaction: Any = None,
    data: dict[str, Any] | None = None,
) -> CaseNote:
    """Put the client's message on ``case`` (an internal note for staff; the reporter's timeline
    only says a message came, never repeats it) and, when the case waited for the client, move it
    to in progress: the SLA clock resumes as with any transition out of waiting.

    ``actor`` is None when a channel delivers the message (the client has no staff account);
    ``sender`` says who it came from (an address), ``interaction`` the contact it was recorded as.
    Events: ``case.client_message`` and, with the status change, ``case.status_changed``."""
    if channel not in Channel.values:
        raise CaseInputError({"channel": _("Unknown channel.")})
    text = body.strip()[:MAX_BODY] or _("(no text)")
    with transaction.atomic():
        case = _lock(case, None)
        before = audit.snapshot(case, TRACKED)
        now = clock.now()
        note = CaseNote.objects.create(
            case=case, visibility=CaseNote.Visibility.INTERNAL, body=text, author=None, created_at=now
        )
        label = Channel(channel).label
        _timeline(
            case,
            "client_message",
            actor,
            _("Message from the client (%(channel)s)") % {"channel": label},
            public=True,
            note_id=note.pk,
            channel=channel,
            interaction=getattr(interaction, "pk", None),
        )
        from_status = case.status
        if from_status == Status.WAITING_CLIENT:
            check_transition(from_status, Status.IN_PROGRESS, {ActorKind.CLIENT})
            _apply_status(case, Status.IN_PROGRESS, now)
            _timeline(
                case,
                "status",
                actor,
                _("Status: %(status)s") % {"status": Status.IN_PROGRESS.label},
                public=True,
                from_status=from_status,
                to_status=Status.IN_PROGRESS,
                reason="client_message",
            )
        changes = _save(
            case,
            before,
            "case.client_message_added",
            actor,
            note_id=note.pk,
            channel=channel,
            sender=sender[:254],
            **(data or {}),
        )
        if case.status != from_status:
            events.emit(
                "case.status_changed",
                obj=case,
                organisation_id=case.organisation_id,
                payload=_payload(
                    case, from_status=from_status, to_status=case.status, changes=sorted(changes), by_client=True
                ),
            )
        events.emit(
            "case.client_message",
            obj=case,
            organisation_id=case.organisation_id,
            payload=_payload(
                case,
                note_id=note.pk,
                channel=channel,
                interaction_id=getattr(interaction, "pk", None),
                from_status=from_status,
            ),
        )
    return note

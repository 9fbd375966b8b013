"""The e-mail copy of a chat's transcript, sent through the notification service (ADR 0057)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import User
from okienko.channels.chat import service
from okienko.channels.chat.models import ChatSession
from okienko.core import audit
from okienko.core.errors import InvalidInput
from okienko.notifications.models import Event
from okienko.notifications.service import Message, Recipient, notify


def send_transcript(session: ChatSession, *, email: str = "", actor: User | None = None) -> int:
    """Mail the transcript to ``email`` (default: the address the visitor gave); once per address
    and state of the chat. Returns how many notifications were queued."""
    address = (email or session.visitor_email).strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email") from exc
    office = session.organisation
    with transaction.atomic():
        sent = notify(
            Message(
                event=Event.CHAT_TRANSCRIPT,
                organisation=office,
                context={
                    "office": office.name,
                    "office_phone": office.phone,
                    "office_email": office.email,
                    "transcript": service.transcript(session),
                },
                key=f"chat-{session.uuid}-{session.last_sequence}-{address.lower()}",
            ),
            [Recipient(email=address, name=session.visitor_name)],
        )
        audit.record(
            "chat.transcript_sent",
            actor=actor,
            obj=session,
            organisation_id=office.pk,
            data={"queued": len(sent)},
        )
    return len(sent)

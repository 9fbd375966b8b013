"""The desk's reactions to domain events (found by ``events.autodiscover_subscribers``)."""

from __future__ import annotations

from okienko.channels.chat.models import ChatSession
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.desk.chat_mail import send_transcript


@events.subscriber("chat.transcript_requested", name="desk.chat_transcript")
def chat_transcript(event: OutboxEvent) -> None:
    """A chat whose visitor asked for its transcript has ended: mail it (idempotent by key)."""
    session = ChatSession.objects.select_related("organisation").filter(pk=event.payload.get("session")).first()
    if session is not None and session.visitor_email:
        send_transcript(session)

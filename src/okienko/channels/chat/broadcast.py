"""Telling the chat's participants and the consultants' queues through the channel layer (the
in-memory one embedded, Redis across several ASGI processes)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def queue_group(organisation_id: object) -> str:
    """The group of the consoles serving ``organisation_id``'s chats."""
    return f"chat.queue.{organisation_id}"


def session_group(session_id: int) -> str:
    return f"chat.session.{session_id}"


async def send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, {"type": "chat.event", "event": event})


def send_sync(group: str, event: dict[str, Any]) -> None:
    """:func:`send` from synchronous code (a view)."""
    async_to_sync(send)(group, event)


def queue_changed(organisation_id: object) -> dict[str, Any]:
    return {"type": "queue", "organisation": str(organisation_id)}

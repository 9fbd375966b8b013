"""The chat's WebSocket ends: the visitor's widget and the consultant's console (JSON frames).

Client → server: ``{"type": "message", "text"}``, ``{"type": "typing", "active"}``,
``{"type": "resume", "after"}`` (the consultant adds ``"session"`` to each, and sends
``{"type": "watch", "session", "after"}`` to follow a chat and ``{"type": "beat"}`` to stay online);
the visitor ends with ``{"type": "leave"}``.
Server → client: ``message`` (``seq``, ``sender``, ``text``, ``at``), ``typing``, ``state``,
``queue`` and ``error`` (``code``, ``detail``). A client that reconnects passes the last ``seq`` it
saw (``?after=`` or ``resume``) and receives the lines after it; it drops lines it already has.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from okienko.accounts import access
from okienko.accounts.models import User
from okienko.accounts.roles import Perm
from okienko.channels.chat import broadcast, service
from okienko.channels.chat.models import ChatMessage, ChatSession
from okienko.core import clock
from okienko.core.errors import DomainError

log = logging.getLogger(__name__)

# The largest frame read: a 2,000-character line JSON-escaped fits with room to spare.
MAX_FRAME = 16_384
# Grace timers of consultants who dropped (kept so they are not collected mid-sleep).
_timers: set[asyncio.Task[None]] = set()


def _store_concurrently() -> bool:
    """Lines are stored on the worker threads side by side where the database takes concurrent
    writers (PostgreSQL, each thread with a pooled connection); SQLite's single writer keeps them
    on the one database thread that channels uses by default."""
    return "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


async def _store(session_id: int, sender: str, text: Any, *, author: User | None) -> ChatMessage:
    store = database_sync_to_async(service.post_message, thread_sensitive=not _store_concurrently())
    message: ChatMessage = await store(session_id, sender, text, author=author)
    return message


def _int(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


class ChatConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """What both ends share: frame limits, errors, fan-out and replay."""

    groups_joined: set[str]

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.error("too_large", "The message is too long.")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.error("bad_frame", "The frame is not JSON.")
            return
        if not isinstance(content, dict):
            await self.error("bad_frame", "The frame is not a JSON object.")
            return
        await self.receive_json(content)

    async def error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def join(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def leave_all(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = set()

    async def chat_event(self, event: dict[str, Any]) -> None:
        body = event["event"]
        if body.get("origin") == self.channel_name:
            return  # one's own typing indicator
        await self.send_json({k: v for k, v in body.items() if k != "origin"})

    async def replay(self, session_id: int, after: int) -> None:
        for line in await database_sync_to_async(service.messages_after)(session_id, after):
            await self.send_json(line)

    async def post(self, session_id: int, sender: str, text: Any, author: User | None = None) -> None:
        try:
            message = await _store(session_id, sender, text, author=author)
        except DomainError as exc:
            await self.error(exc.slug, str(exc.message))
            return
        await broadcast.send(broadcast.session_group(session_id), service.as_event(message))

    async def typing(self, session_id: int, sender: str, active: Any) -> None:
        event = {
            "type": "typing",
            "session": session_id,
            "sender": sender,
            "active": bool(active),
            "origin": self.channel_name,
        }
        await broadcast.send(broadcast.session_group(session_id), event)


class VisitorConsumer(ChatConsumer):
    """``/ws/chat/visitor/<token>/``: the visitor's end of one chat, found by its secret token."""

    session_id: int

    async def connect(self) -> None:
        self.groups_joined = set()
        token = str(self.scope["url_route"]["kwargs"].get("token", ""))
        session = await database_sync_to_async(service.session_for_token)(token)
        if session is None:
            await self.close(code=4404)
            return
        self.session_id = session.pk
        await self.accept()
        await self.join(broadcast.session_group(session.pk))
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        await self.replay(session.pk, _int((query.get("after") or ["0"])[0]))
        await self.send_json(service.public_state(session))

    async def disconnect(self, code: int) -> None:
        await self.leave_all()

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "message":
            await self.post(self.session_id, ChatMessage.Sender.VISITOR, content.get("text"))
        elif kind == "typing":
            await self.typing(self.session_id, ChatMessage.Sender.VISITOR, content.get("active"))
        elif kind == "resume":
            await self.replay(self.session_id, _int(content.get("after")))
        elif kind == "leave":
            session = await database_sync_to_async(service.visitor_leaves)(self.session_id)
            await announce(session)
        else:
            await self.error("unknown", "Unknown frame type.")


def _agent_setup(user: Any) -> tuple[User, list[str], list[int]] | None:
    """The consultant behind the connection, the offices whose queues they follow and the
    chats they hold; None for anyone else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not access.has_perm_anywhere(user, Perm.INTERACTIONS_RECORD):
        return None
    recording = access.organisations_with(user, Perm.INTERACTIONS_RECORD)
    codes = list(
        access.organisations_with(user, Perm.CLIENTS_VIEW).filter(pk__in=recording).values_list("pk", flat=True)
    )
    service.touch(user)
    held = list(ChatSession.objects.filter(agent=user, status=ChatSession.Status.ACTIVE).values_list("pk", flat=True))
    real = User.objects.get(pk=user.pk)
    return real, [str(c) for c in codes], held


def _may_watch(user: User, session_id: int) -> ChatSession | None:
    try:
        return ChatSession.objects.visible_to(user).get(pk=session_id)
    except (ObjectDoesNotExist, ValueError, TypeError):
        return None


class AgentConsumer(ChatConsumer):
    """``/ws/chat/agent/``: a consultant's console; follows the queues of their offices and the
    chats they take or watch."""

    user: User | None = None
    watched: set[int]

    async def connect(self) -> None:
        self.groups_joined, self.watched = set(), set()
        setup = await database_sync_to_async(_agent_setup)(self.scope.get("user"))
        if setup is None:
            await self.close(code=4403)
            return
        self.user, codes, held = setup
        await self.accept()
        for code in codes:
            await self.join(broadcast.queue_group(code))
        for session_id in held:
            await self.join(broadcast.session_group(session_id))
            self.watched.add(session_id)

    async def disconnect(self, code: int) -> None:
        await self.leave_all()
        if self.user is not None:
            task = asyncio.get_running_loop().create_task(_grace(self.user.pk, clock.now()))
            _timers.add(task)
            task.add_done_callback(_timers.discard)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "beat":
            await database_sync_to_async(service.touch)(self.user)
            return
        session_id = _int(content.get("session"))
        if kind == "watch":
            session = await database_sync_to_async(_may_watch)(self.user, session_id)
            if session is None:
                await self.error("not-found", "No such chat.")
                return
            await self.join(broadcast.session_group(session.pk))
            self.watched.add(session.pk)
            await self.replay(session.pk, _int(content.get("after")))
            await self.send_json(service.public_state(session))
            return
        if session_id not in self.watched:
            await self.error("not-found", "Watch the chat first.")
            return
        if kind == "message":
            await self.post(session_id, ChatMessage.Sender.AGENT, content.get("text"), author=self.user)
        elif kind == "typing":
            await self.typing(session_id, ChatMessage.Sender.AGENT, content.get("active"))
        elif kind == "resume":
            await self.replay(session_id, _int(content.get("after")))
        else:
            await self.error("unknown", "Unknown frame type.")


async def _grace(user_id: int, since: dt.datetime) -> None:
    """After the grace period, queue again the chats of a consultant who has not come back."""
    try:
        await asyncio.sleep(service.agent_grace())
        moved = await database_sync_to_async(service.return_to_queue)(user_id, since)
        for session in moved:
            await announce(session)
    except Exception:  # a timer must never take the server down
        log.exception("returning the chats of consultant %s to the queue failed", user_id)


async def announce(session: ChatSession) -> None:
    """Tell a chat's participants its last line and state, and its office's consoles the queue changed."""
    last = await database_sync_to_async(service.messages_after)(session.pk, session.last_sequence - 1)
    group = broadcast.session_group(session.pk)
    for line in last:
        await broadcast.send(group, line)
    await broadcast.send(group, service.public_state(session))
    await broadcast.send(
        broadcast.queue_group(session.organisation_id), broadcast.queue_changed(session.organisation_id)
    )

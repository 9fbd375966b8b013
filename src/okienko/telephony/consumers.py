"""The browser's WebSocket ends for the phone: each relays one browser to the engine process
(``okienko telephony``) over loopback, after saying — signed — who the browser's user is.

- ``/ws/telephony/phone/``: the softphone (staff who record contacts; anyone on the embedded demo
  when ``TELEPHONY_PUBLIC_SOFTPHONE`` is on);
- ``/ws/telephony/agent/``: a consultant's desk (they record contacts and serve a queue);
- ``/ws/telephony/board/``: a supervisor's wallboard (queue supervision).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from okienko.accounts import access
from okienko.accounts.models import User
from okienko.accounts.roles import Perm
from okienko.telephony import directory
from okienko.telephony.identity import AGENT, HEADER, PHONE, SUPERVISOR, Identity

log = logging.getLogger(__name__)

MAX_FRAME = 8192
CALLER = re.compile(r"^\+?[0-9]{3,15}$")


def engine_url() -> str:
    return str(getattr(settings, "TELEPHONY_ENGINE_URL", "ws://127.0.0.1:8765"))


class RelayConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    upstream: ClientConnection | None = None
    pump: asyncio.Task[None] | None = None

    def identify(self) -> Identity | None:
        raise NotImplementedError

    async def connect(self) -> None:
        identity = await database_sync_to_async(self.identify)()
        if identity is None:
            await self.close(code=4403)
            return
        try:
            self.upstream = await connect(
                engine_url(), additional_headers={HEADER: identity.sign()}, open_timeout=3, max_size=MAX_FRAME * 4
            )
        except (OSError, TimeoutError, WebSocketException):
            log.warning("the telephony engine at %s does not answer", engine_url())
            await self.accept()
            await self.send(text_data=json.dumps({"type": "error", "code": "engine-down"}))
            await self.close(code=4503)
            return
        await self.accept()
        self.pump = asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        assert self.upstream is not None
        try:
            async for raw in self.upstream:
                await self.send(text_data=raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
        except ConnectionClosed:
            pass
        with contextlib.suppress(Exception):
            await self.close(code=4503)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.upstream is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send(text_data=json.dumps({"type": "error", "code": "too-large"}))
            return
        with contextlib.suppress(ConnectionClosed):
            await self.upstream.send(text_data)

    async def disconnect(self, code: int) -> None:
        if self.pump is not None:
            self.pump.cancel()
        if self.upstream is not None:
            with contextlib.suppress(Exception):
                await self.upstream.close()

    def user(self) -> User | None:
        user = self.scope.get("user")
        return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


class PhoneConsumer(RelayConsumer):
    def identify(self) -> Identity | None:
        user = self.user()
        staff = user is not None and access.has_perm_anywhere(user, Perm.INTERACTIONS_RECORD)
        if not staff and not getattr(settings, "TELEPHONY_PUBLIC_SOFTPHONE", False):
            return None
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        caller = (query.get("caller") or [""])[0].strip()
        return Identity(role=PHONE, user=str(user.pk) if user else "", caller=caller if CALLER.match(caller) else "")


class AgentConsumer(RelayConsumer):
    def identify(self) -> Identity | None:
        user = self.user()
        if user is None or not access.has_perm_anywhere(user, Perm.INTERACTIONS_RECORD):
            return None
        queues = directory.agent_queues(user)
        if not queues:
            return None
        return Identity(role=AGENT, user=str(user.pk), name=_name(user), queues=queues)


class BoardConsumer(RelayConsumer):
    def identify(self) -> Identity | None:
        user = self.user()
        if user is None:
            return None
        scope = directory.supervised_offices(user)
        if not scope:
            return None
        return Identity(role=SUPERVISOR, user=str(user.pk), name=_name(user), scope=scope)


def public_softphone() -> bool:
    return bool(getattr(settings, "TELEPHONY_PUBLIC_SOFTPHONE", False))


__all__ = ["AgentConsumer", "BoardConsumer", "PhoneConsumer", "engine_url", "public_softphone"]

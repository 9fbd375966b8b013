# mypy: disable-error-code="no-untyped-call"
"""Offices, consultants and chats for the live chat tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.channels.chat import consumers, service
from okienko.channels.chat.models import ChatSession


class WebsocketCommunicator(ApplicationCommunicator):
    """Drives a WebSocket consumer in-process as a browser would (``channels.testing`` needs
    Daphne, which Okienko does not use: uvicorn serves it)."""

    def __init__(self, application: Any, path: str) -> None:
        route, _sep, query = path.partition("?")
        scope = {
            "type": "websocket",
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), (b"origin", b"http://testserver")],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        return True, answer.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 2) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


@dataclass
class Desk:
    office: Organisation
    other: Organisation
    agent: User
    outsider: User  # a consultant of another office


@pytest.fixture
def desk(region: Organisation, make_user: Callable[..., User], settings: Any) -> Desk:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    office = Organisation.objects.get(code="pup-a")
    other = Organisation.objects.get(code="city")
    agent = make_user("agent", roles=[(office, Role.CONSULTANT)])
    outsider = make_user("outsider", roles=[(other, Role.CONSULTANT)])
    service.set_presence(agent, office, online=True, capacity=2)
    return Desk(office, other, agent, outsider)


def start(desk: Desk, key: str = "visitor-1", **extra: Any) -> ChatSession:
    return service.start_session(organisation=desk.office, visitor_key=key, ip="192.0.2.1", **extra)


def visitor_socket(session: ChatSession, after: int | None = None) -> WebsocketCommunicator:
    from channels.routing import URLRouter

    from okienko.channels.chat.routing import websocket_urlpatterns

    path = f"/ws/chat/visitor/{session.token}/" + (f"?after={after}" if after is not None else "")
    return WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)


def agent_socket(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(consumers.AgentConsumer.as_asgi(), "/ws/chat/agent/")
    communicator.scope["user"] = user
    return communicator

"""The chat's WebSocket addresses (included by ``conf.routing``)."""

from typing import Any

from django.urls import path

from okienko.channels.chat import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/chat/visitor/<str:token>/", consumers.VisitorConsumer.as_asgi()),
    path("ws/chat/agent/", consumers.AgentConsumer.as_asgi()),
]

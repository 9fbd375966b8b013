"""The phone's WebSocket addresses (included by ``conf.routing``)."""

from typing import Any

from django.urls import path

from okienko.telephony import consumers

websocket_urlpatterns: list[Any] = [
    path("ws/telephony/phone/", consumers.PhoneConsumer.as_asgi()),
    path("ws/telephony/agent/", consumers.AgentConsumer.as_asgi()),
    path("ws/telephony/board/", consumers.BoardConsumer.as_asgi()),
]

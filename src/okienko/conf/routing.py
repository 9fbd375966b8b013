"""WebSocket routes (CTI screen pop, wallboards, chat) are collected here."""

from typing import Any

from okienko.channels.chat.routing import websocket_urlpatterns as chat_routes
from okienko.telephony.routing import websocket_urlpatterns as telephony_routes

websocket_urlpatterns: list[Any] = [*chat_routes, *telephony_routes]

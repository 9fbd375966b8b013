"""WebSocket routes (CTI screen pop, wallboards, chat) are collected here."""

from typing import Any

websocket_urlpatterns: list[Any] = []

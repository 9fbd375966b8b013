"""What the knowledge app shows on composite desk screens (``core.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import panels


def answer(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """Search box answering the client from the knowledge base, in one click."""
    if not access.has_perm_anywhere(request.user, Perm.KNOWLEDGE_READ_INTERNAL):
        return None
    return {"client": client}


def register() -> None:
    panels.register(
        panels.Panel(panels.CLIENT_CARD_TOOLS, "knowledge.answer", "knowledge/panels/answer.html", answer, order=10)
    )

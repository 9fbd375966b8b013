"""What the cases app shows on composite desk screens (``core.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.cases.models import Case
from okienko.cases.workflow import OPEN_STATUSES
from okienko.core import panels


def open_cases(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """The client's open cases that the viewer may see (``visible_to``: never another office's)."""
    cases = (
        Case.objects.visible_to(request.user)
        .filter(client=client, status__in=OPEN_STATUSES)
        .select_related("service")
        .order_by("-created_at")[:20]
    )
    found = list(cases)
    return {"cases": found} if found else None


def register() -> None:
    panels.register(
        panels.Panel(panels.CLIENT_CARD, "cases.open", "cases/panels/open_cases.html", open_cases, order=30)
    )

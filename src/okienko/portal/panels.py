"""What the portal shows on other apps' screens (``core.panels``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.core import clock, panels
from okienko.portal.stats import deflections_by_article


def deflections(request: HttpRequest, articles: Any) -> Mapping[str, Any] | None:
    """On the knowledge editors' analytics: reports the public form did not need, per article
    (``articles`` is already scoped to what the editor may edit), over the last 30 days."""
    counts = deflections_by_article(articles=articles, since=clock.now() - dt.timedelta(days=30))
    return {"deflections": counts}


def register() -> None:
    panels.register(
        panels.Panel(panels.KNOWLEDGE_ANALYTICS, "portal.deflections", "portal/panels_deflections.html", deflections)
    )

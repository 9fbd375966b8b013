"""Reads of the portal's telemetry for staff screens (the knowledge base's analytics page, the admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from okienko.portal.models import Deflection

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from okienko.knowledge.models import Article


@dataclass(frozen=True)
class DeflectionCounts:
    """The articles that answered most residents on the report form, and how many were answered in all."""

    top: list[dict[str, Any]]  # article__title, article__uuid, n
    total: int


def deflections_by_article(
    *, articles: QuerySet[Article] | None, since: dt.datetime, limit: int = 20
) -> DeflectionCounts:
    """Deflections of ``articles`` (already scoped to what the viewer may see; ``None``: all) at or
    after ``since``."""
    deflections = Deflection.objects.filter(at__gte=since)
    if articles is not None:
        deflections = deflections.filter(article__in=articles)
    top = (
        deflections.values("article__title", "article__uuid")
        .annotate(n=Count("id"))
        .order_by("-n", "article__title")[:limit]
    )
    return DeflectionCounts(top=list(top), total=deflections.count())

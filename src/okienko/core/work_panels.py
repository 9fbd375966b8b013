"""One look for the desk start page's work panels (ADR 0043): a title, a count, up to
``LIMIT`` items with links and an empty state. Apps build the context with :func:`context` and
register a ``core.panels.Panel`` with the template ``WORK_PANEL`` in the ``desk_home`` slot."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

WORK_PANEL = "core/_work_panel.html"
LIMIT = 5


@dataclass(frozen=True)
class WorkItem:
    label: str
    url: str
    detail: str | Promise = ""
    level: str = ""  # "warning" or "danger" to mark overdue items


def context(
    panel_id: str,
    *,
    title: str | Promise,
    count: int,
    items: Sequence[WorkItem],
    empty: str | Promise,
    more_url: str = "",
) -> dict[str, Any]:
    return {
        "panel_id": panel_id,
        "title": title,
        "count": count,
        "items": list(items)[:LIMIT],
        "empty": empty,
        "more_url": more_url,
    }


def of_rows(
    panel_id: str,
    rows: Any,
    *,
    item: Callable[[Any], WorkItem],
    title: str | Promise,
    empty: str | Promise,
    more_url: str = "",
) -> dict[str, Any]:
    """The panel of a queryset: its count and its first ``LIMIT`` rows, each made a work item by ``item``."""
    items = [item(row) for row in rows[:LIMIT]]
    return context(panel_id, title=title, count=rows.count(), items=items, empty=empty, more_url=more_url)

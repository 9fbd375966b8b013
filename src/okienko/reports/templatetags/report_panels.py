"""Panels of the reports app that other desk pages include (issue 20, item 4)."""

from __future__ import annotations

from typing import Any

from django import template

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.reports import hotspots

register = template.Library()


@register.inclusion_tag("reports/_hotspots.html")
def hotspot_panel(user: Any) -> dict[str, Any]:
    """The early-warning panel: recorded hot spots in the reader's ``reports.view`` scope."""
    scope = list(access.organisations_with(user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    return {
        "hotspots": list(hotspots.recent(scope)) if scope else [],
        "min_count": hotspots.MIN_COUNT,
        "weeks": hotspots.WEEKS,
    }

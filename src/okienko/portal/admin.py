from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from okienko.core import clock
from okienko.portal.models import Deflection
from okienko.portal.stats import deflections_by_article


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin[Deflection]):
    """Read-only: which suggested articles answered residents before they filed a report."""

    change_list_template = "admin/portal/deflection/change_list.html"
    list_display = ["at", "article", "service"]
    list_filter = ["at", "service"]
    list_select_related = ["article", "service"]
    search_fields = ["article__title"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Deflection | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        counts = deflections_by_article(articles=None, since=clock.now() - dt.timedelta(days=30))
        return super().changelist_view(request, {**(extra_context or {}), "deflection_top": counts.top})

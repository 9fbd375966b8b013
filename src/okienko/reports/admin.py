from django.contrib import admin

from okienko.core.admin import AuditedModelAdmin, ReadOnlyModelAdmin
from okienko.reports.hotspot_models import HotSpot
from okienko.reports.models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(AuditedModelAdmin):
    list_display = ("name", "organisation", "territory", "frequency", "active", "last_period")
    list_filter = ("frequency", "active")
    raw_id_fields = ("territory",)
    search_fields = ("name", "recipients")
    readonly_fields = ("last_period", "created_at")


@admin.register(HotSpot)
class HotSpotAdmin(ReadOnlyModelAdmin):
    """The early warning's flags: only the detection writes them."""

    list_display = ("week", "service", "organisation", "latitude", "longitude", "count", "expected", "p_value")
    list_filter = ("organisation", "service", "week")
    list_select_related = ("service", "organisation")
    date_hierarchy = "week"
    ordering = ("-week", "-count", "pk")

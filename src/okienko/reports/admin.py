from django.contrib import admin

from okienko.core.admin import AuditedModelAdmin, ReadOnlyModelAdmin
from okienko.reports.area_models import Area, AreaImport
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


@admin.register(Area)
class AreaAdmin(ReadOnlyModelAdmin):
    """Imported boundaries: only the importer writes them (``manage.py reports_import_areas``)."""

    list_display = ("name", "code", "kind", "organisation", "source_name", "imported_at")
    list_filter = ("kind", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name", "code")


@admin.register(AreaImport)
class AreaImportAdmin(ReadOnlyModelAdmin):
    list_display = ("source_name", "kind", "organisation", "imported_at", "dry_run")
    list_filter = ("kind", "organisation", "dry_run")
    list_select_related = ("organisation",)

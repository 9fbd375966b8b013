from __future__ import annotations

from django.contrib import admin

from okienko.cases.models import Case, Cover, RoutingRule, SavedFilter
from okienko.core.admin import AuditedModelAdmin


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation", "order", "service", "territory_prefix", "target_unit", "active"]
    list_filter = ["organisation", "active"]
    search_fields = ["name"]
    raw_id_fields = ["service"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """Read-only: cases change only through actions (audited)."""

    list_display = ["number", "organisation", "service", "status", "assigned_unit", "resolve_due"]
    list_filter = ["status", "organisation"]
    search_fields = ["number"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.register(SavedFilter, AuditedModelAdmin)
admin.site.register(Cover, AuditedModelAdmin)

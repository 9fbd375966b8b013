from django.contrib import admin

from okienko.core.admin import AuditedModelAdmin
from okienko.reports.models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(AuditedModelAdmin):
    list_display = ("name", "organisation", "territory", "frequency", "active", "last_period")
    list_filter = ("frequency", "active")
    raw_id_fields = ("territory",)
    search_fields = ("name", "recipients")
    readonly_fields = ("last_period", "created_at")

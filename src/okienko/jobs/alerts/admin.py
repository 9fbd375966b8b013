from django.contrib import admin

from okienko.jobs.alerts.models import Alert, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin[SavedSearch]):
    list_display = ["name", "client", "office", "by_email", "by_sms", "frequency", "active", "created_at"]
    list_filter = ["frequency", "active", "by_sms"]
    raw_id_fields = ["account", "client"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ["search", "offer", "created_at", "sent_at"]
    raw_id_fields = ["search", "offer"]

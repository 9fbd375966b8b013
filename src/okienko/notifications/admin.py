"""Admin: message templates (audited), what was sent (read-only; replayable from the work-queue
page), clients' notification preferences and the survey answers (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.core.admin import AuditedModelAdmin, ReadOnlyModelAdmin
from okienko.notifications.models import Notification, NotificationTemplate, Preference, SurveyResponse


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AuditedModelAdmin):
    list_display = ["event", "channel", "language", "organisation", "active", "updated_at"]
    list_filter = ["event", "channel", "language", "active"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from okienko.core import clock

        obj.updated_at = clock.now()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "event", "channel", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "channel"]
    search_fields = ["recipient", "subject", "message_id"]
    exclude = ["attachments"]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyModelAdmin):
    list_display = ["client", "channel", "language", "quiet_from", "quiet_until", "updated_at"]
    list_filter = ["channel", "language"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyModelAdmin):
    list_display = ["submitted_at", "case", "service", "unit", "rating", "may_contact", "reopen_requested"]
    list_filter = ["rating", "may_contact", "reopen_requested"]
    fieldsets = [(_("Answer"), {"fields": ["case", "service", "unit", "rating", "comment", "may_contact"]})]

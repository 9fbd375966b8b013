"""Phone queues and their members (changes audited; the engine picks them up within half a
minute), and the call event log, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okienko.core.admin import AuditedModelAdmin
from okienko.telephony.models import CallEventRecord, PhoneQueue, QueueMember, VoicemailBox


class QueueMemberInline(admin.TabularInline[QueueMember, PhoneQueue]):
    model = QueueMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PhoneQueue)
class PhoneQueueAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "organisation", "strategy", "overflow_after", "service_level_seconds", "active"]
    list_filter = ["strategy", "active", "organisation"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["organisation"]
    inlines = [QueueMemberInline]


@admin.register(VoicemailBox)
class VoicemailBoxAdmin(AuditedModelAdmin):
    """The offices' voicemail boxes (messages are listened to on the desk, where it is logged)."""

    list_display = ["name", "code", "organisation", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["organisation"]


@admin.register(CallEventRecord)
class CallEventRecordAdmin(admin.ModelAdmin[CallEventRecord]):
    list_display = ["at", "kind", "call", "queue", "agent"]
    list_filter = ["kind"]
    search_fields = ["call", "queue", "agent"]
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "seconds", "kind", "call", "queue", "agent", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

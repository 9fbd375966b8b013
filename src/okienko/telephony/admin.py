"""Phone queues and their members (changes audited; the engine picks them up within half a
minute), the call event log, read-only, and the consultants' browser phone accounts (the
password write-only, stored encrypted)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.core import audit
from okienko.core.admin import AuditedModelAdmin
from okienko.telephony.models import AgentSipAccount, CallEventRecord, PhoneQueue, QueueMember, VoicemailBox


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


SIP_AUDITED = ["user", "username", "active"]


class AgentSipAccountForm(forms.ModelForm[AgentSipAccount]):
    """The SIP password is written, never shown: left empty, the stored one is kept."""

    sip_password = forms.CharField(
        label=_("SIP password"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current password."),
    )

    class Meta:
        model = AgentSipAccount
        fields = SIP_AUDITED

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("sip_password") and not self.instance.has_password:
            self.add_error("sip_password", _("A new account needs its password."))
        return cleaned


@admin.register(AgentSipAccount)
class AgentSipAccountAdmin(admin.ModelAdmin[AgentSipAccount]):
    """Consultants' accounts for the browser phone (docs/telephony.md); changes audited, the
    password only as "changed"."""

    form = AgentSipAccountForm
    list_display = ["username", "user", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["username", "user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["updated_at"]

    def save_model(
        self, request: HttpRequest, obj: AgentSipAccount, form: forms.ModelForm[AgentSipAccount], change: bool
    ) -> None:
        before = audit.snapshot(AgentSipAccount.objects.get(pk=obj.pk), SIP_AUDITED) if change else {}
        password = form.cleaned_data.get("sip_password") or ""
        with transaction.atomic():
            if password:
                obj.set_password(password)
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, audit.snapshot(obj, SIP_AUDITED))
            if password:
                changes["password"] = ["***", "***"]
            audit.record(
                "telephony.sip_account_changed" if change else "telephony.sip_account_created",
                actor=request.user,
                obj=obj,
                changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: AgentSipAccount) -> None:
        with transaction.atomic():
            audit.record("telephony.sip_account_deleted", actor=request.user, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record("telephony.sip_account_deleted", actor=request.user, obj=obj)
            super().delete_queryset(request, queryset)

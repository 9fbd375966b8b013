"""Admin: mailboxes (the IMAP password write-only, stored encrypted) and the received e-mail
(read-only; the raw message downloadable by staff who may handle it, the download logged)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access as accounts_access
from okienko.accounts.roles import Perm
from okienko.channels import access
from okienko.channels.models import InboundAttachment, InboundMessage, Mailbox, SmsSender
from okienko.core import audit
from okienko.core.admin import AuditedModelAdmin

AUDITED = [
    "organisation",
    "address",
    "name",
    "active",
    "kind",
    "imap_host",
    "imap_port",
    "imap_ssl",
    "imap_username",
    "imap_folder",
    "imap_processed_folder",
    "trusted_authserv_id",
    "verify_dkim",
    "create_case",
    "default_service",
    "auto_reply",
    "max_message_bytes",
    "sender_limit_per_hour",
]


class MailboxForm(forms.ModelForm[Mailbox]):
    """The IMAP password is written, never shown: left empty, the stored one is kept."""

    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = AUDITED

    def clean_address(self) -> str:
        address = str(self.cleaned_data["address"]).strip().lower()
        if Mailbox.objects.filter(address=address).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another mailbox has this address."))
        return address

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("kind") == Mailbox.Kind.IMAP and not cleaned.get("imap_host"):
            self.add_error("imap_host", _("An IMAP mailbox needs its server."))
        if cleaned.get("create_case") and not cleaned.get("default_service"):
            self.add_error("default_service", _("Choose the service of the cases opened from e-mail."))
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["address", "name", "organisation", "kind", "active", "auto_reply", "last_polled_at", "last_error"]
    list_filter = ["kind", "active", "organisation"]
    search_fields = ["address", "name"]
    readonly_fields = ["imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_error"]

    def get_queryset(self, request: HttpRequest) -> Any:
        """Only the mailboxes of organisations the member of staff configures."""
        rows = super().get_queryset(request).select_related("organisation")
        if getattr(request.user, "is_superuser", False):
            return rows
        return rows.filter(organisation__in=accounts_access.organisations_with(request.user, Perm.CONFIGURE))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation" and not getattr(request.user, "is_superuser", False):
            kwargs["queryset"] = accounts_access.organisations_with(request.user, Perm.CONFIGURE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Mailbox, form: forms.ModelForm[Mailbox], change: bool) -> None:
        before = audit.snapshot(Mailbox.objects.get(pk=obj.pk), AUDITED) if change else {}
        password = form.cleaned_data.get("imap_password") or ""
        with transaction.atomic():
            if password:
                obj.set_imap_password(password)
            super().save_model(request, obj, form, change)
            changes = audit.diff(before, audit.snapshot(obj, AUDITED))
            if password:
                changes["password"] = ["***", "***"]
            audit.record(
                "email.mailbox_changed" if change else "email.mailbox_created",
                actor=request.user,
                obj=obj,
                organisation_id=obj.organisation_id,
                changes=changes,
            )


class InboundAttachmentInline(admin.TabularInline[InboundAttachment, InboundMessage]):
    model = InboundAttachment
    fields = readonly_fields = ("original_name", "content_type", "declared_type", "size", "is_inline", "content_id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Read-only: what came and what became of it. Only the text taken from the message is
    shown (HTML is never rendered); the raw message is a download."""

    list_display = ["received_at", "mailbox", "from_address", "subject", "status", "sender_check", "is_auto_submitted"]
    list_filter = ["status", "sender_check", "is_bounce", "is_spam", "is_auto_submitted", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    date_hierarchy = "received_at"
    inlines = [InboundAttachmentInline]
    fields = readonly_fields = (
        "raw_download",
        "mailbox",
        "organisation",
        "status",
        "status_reason",
        "received_at",
        "sent_at",
        "from_address",
        "from_name",
        "to",
        "subject",
        "message_id",
        "in_reply_to",
        "references",
        "sender_check",
        "is_signed",
        "is_encrypted",
        "is_auto_submitted",
        "is_bounce",
        "is_spam",
        "language",
        "client",
        "case",
        "interaction",
        "claimed_by",
        "claimed_at",
        "body",
        "full_text",
        "defects",
        "size",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        rows = super().get_queryset(request).select_related("mailbox", "organisation")
        if getattr(request.user, "is_superuser", False):
            return rows
        return rows.filter(organisation__in=accounts_access.organisations_with(request.user, Perm.INTERACTIONS_RECORD))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMessage) -> SafeString:
        url = reverse("admin:channel_adapters_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (.eml)"))

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:message_id>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="channel_adapters_inboundmessage_raw",
            )
        ]
        return custom + super().get_urls()

    def raw_view(self, request: HttpRequest, message_id: int) -> FileResponse:
        """The message as received, for staff who may handle it (logged)."""
        message = InboundMessage.objects.filter(pk=message_id).select_related("organisation").first()
        if message is None or not self.has_view_permission(request, message):
            raise PermissionDenied
        allowed = getattr(request.user, "is_superuser", False) or access.can_download_raw(request.user, message)
        if not allowed:
            audit.record_denied(request.user, message, organisation_id=message.organisation_id, purpose="raw e-mail")
            raise PermissionDenied
        audit.record_access(request.user, message, organisation_id=message.organisation_id, purpose="raw e-mail")
        return message.download()


@admin.register(SmsSender)
class SmsSenderAdmin(AuditedModelAdmin):
    """An office's SMS identity: its sender name, the number taking replies, how it writes."""

    list_display = ["organisation", "name", "number", "transliterate", "hourly_limit", "active"]
    autocomplete_fields = ["organisation"]


from okienko.channels.eforms import admin as eforms_admin  # noqa: E402  (the e-forms part, ADR 0056)

eforms_admin.register(admin.site)

from okienko.channels.chat import admin as chat_admin  # noqa: E402  (the live chat part, ADR 0057)

chat_admin.register(admin.site)

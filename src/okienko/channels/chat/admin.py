"""Live chat in the admin (registered by ``channels.admin``): the chats read-only with their
transcript, limited to the offices whose contacts the viewer records; the consultants' presence."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okienko.accounts import access as accounts_access
from okienko.accounts.roles import Perm
from okienko.channels.chat.models import AgentPresence, ChatMessage, ChatSession


def _in_scope(request: HttpRequest, rows: Any) -> Any:
    if getattr(request.user, "is_superuser", False):
        return rows
    return rows.filter(organisation__in=accounts_access.organisations_with(request.user, Perm.INTERACTIONS_RECORD))


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChatMessageInline(ReadOnly, admin.TabularInline[ChatMessage, ChatSession]):
    model = ChatMessage
    fields = readonly_fields = ("sequence", "created_at", "sender", "author", "text")
    ordering = ("sequence",)
    extra = 0


class ChatSessionAdmin(ReadOnly, admin.ModelAdmin[ChatSession]):
    """What was said, with whom and what became of it; changed only through the desk's console."""

    list_display = ["started_at", "organisation", "visitor_name", "status", "agent", "accepted_at", "closed_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["visitor_name", "visitor_email"]
    date_hierarchy = "started_at"
    inlines = [ChatMessageInline]
    fields = readonly_fields = (
        "uuid",
        "organisation",
        "status",
        "visitor_name",
        "visitor_email",
        "transcript_requested",
        "page",
        "agent",
        "started_at",
        "accepted_at",
        "closed_at",
        "interaction",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return _in_scope(request, super().get_queryset(request).select_related("organisation", "agent"))


class AgentPresenceAdmin(ReadOnly, admin.ModelAdmin[AgentPresence]):
    """Who offers chat where, and since when their console was last heard of (set on the desk)."""

    list_display = ["user", "organisation", "online", "capacity", "last_seen"]
    list_filter = ["online", "organisation"]
    fields = readonly_fields = ("user", "organisation", "online", "capacity", "last_seen")

    def get_queryset(self, request: HttpRequest) -> Any:
        return _in_scope(request, super().get_queryset(request).select_related("organisation", "user"))


def register(site: admin.AdminSite) -> None:
    site.register(ChatSession, ChatSessionAdmin)
    site.register(AgentPresence, AgentPresenceAdmin)

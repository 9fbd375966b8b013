"""Read-only admin of trainings, events, registrations and announcements (changes go through
``actions`` so that they are audited: the desk's pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okienko.jobs.events.models import Announcement, AnnouncementOptOut, Event, Registration, Training


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Training)
class TrainingAdmin(ReadOnly):
    list_display = ["title", "office", "start_date", "funding", "status", "taken", "capacity"]
    list_filter = ["status", "funding"]
    search_fields = ["title", "provider"]


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["title", "office", "kind", "starts_at", "status", "taken", "capacity"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnly):
    list_display = ["name", "training", "event", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnly):
    list_display = ["client", "training", "event", "reason", "created_at", "sent_at"]


@admin.register(AnnouncementOptOut)
class AnnouncementOptOutAdmin(ReadOnly):
    list_display = ["client", "how", "created_at"]

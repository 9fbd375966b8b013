from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from okienko.core import audit
from okienko.core.models import AuditRecord, OutboxDelivery, OutboxEvent


def _concrete_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if not f.primary_key]


class AuditedModelAdmin(admin.ModelAdmin[Any]):
    """Admin whose saves and deletes go into the audit log with before/after values."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        fields = _concrete_fields(obj)
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            original = type(obj).objects.filter(pk=obj.pk).first()
            if original is not None:
                before = audit.snapshot(original, fields)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = audit.snapshot(obj, fields)
            audit.record(
                f"admin.{obj._meta.model_name}.{'changed' if change else 'created'}",
                actor=request.user,
                obj=obj,
                changes=audit.diff(before, after),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(f"admin.{obj._meta.model_name}.deleted", actor=request.user, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(f"admin.{obj._meta.model_name}.deleted", actor=request.user, obj=obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Audit inline rows too (e.g. role assignments edited on a user's page)."""
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit.record(f"admin.{obj._meta.model_name}.deleted", actor=request.user, obj=obj)
                obj.delete()
            for obj in instances:
                created = obj.pk is None
                obj.save()
                audit.record(
                    f"admin.{obj._meta.model_name}.{'created' if created else 'changed'}",
                    actor=request.user,
                    obj=obj,
                    changes=audit.diff({}, audit.snapshot(obj, _concrete_fields(obj))) if created else {},
                )
            formset.save_m2m()


class ReadOnlyModelAdmin(admin.ModelAdmin[Any]):
    """Records nobody edits in the admin (logs, what was sent): shown, never added or changed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "at", "kind", "action", "actor_repr", "object_type", "object_id", "channel", "ip"]
    list_filter = ["kind", "channel"]
    search_fields = ["action", "actor_repr", "object_id", "object_repr", "request_id"]
    date_hierarchy = "at"


class DeliveryInline(admin.TabularInline[OutboxDelivery, OutboxEvent]):
    model = OutboxDelivery
    extra = 0
    readonly_fields = ["subscriber", "status", "attempts", "available_at", "last_error", "done_at"]
    can_delete = False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin[OutboxEvent]):
    list_display = ["created_at", "topic", "aggregate_type", "aggregate_id"]
    list_filter = ["topic"]
    inlines = [DeliveryInline]
    readonly_fields = [
        "created_at",
        "topic",
        "aggregate_type",
        "aggregate_id",
        "organisation_id",
        "payload",
        "request_id",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

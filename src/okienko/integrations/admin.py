"""Admin: Open311 submissions, webhook subscriptions and the delivery log (with replay)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.integrations.open311.models import Open311Intake, Open311Submission
from okienko.integrations.webhooks.actions import replay_delivery
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organisation", "url", "active", "created_at"]
    list_filter = ["active", "organisation"]
    readonly_fields = ["uuid", "secret", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the API or actions (audited), not here


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "topic", "subscription", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "topic", "subscription"]
    search_fields = ["event_id", "uuid"]
    actions = ["replay"]

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False

    @admin.action(description=_("Send the selected deliveries again"))
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset.select_related("subscription"):
            replay_delivery(actor=request.user, delivery=delivery)
        messages.success(request, _("Queued again: %(n)d.") % {"n": queryset.count()})


@admin.register(Open311Submission)
class Open311SubmissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["case", "api_token", "device_id", "account_id", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Open311Submission | None = None) -> list[str]:
        return [f.name for f in Open311Submission._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Open311Intake)
class Open311IntakeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The intake queue (ADR 0040): its depth, what was rejected and why; read-only."""

    list_display = ["received_at", "token", "jurisdiction", "service", "state", "case", "attempts", "processed_at"]
    list_filter = ["state", "jurisdiction"]
    search_fields = ["token", "request_id"]
    date_hierarchy = "received_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Open311Intake | None = None) -> list[str]:
        return [f.name for f in Open311Intake._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Open311Intake | None = None) -> bool:
        return False

"""Admin: Open311 submissions, webhook subscriptions and the delivery log (with replay)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.integrations.open311.models import Open311Intake, Open311Submission
from okienko.integrations.webhooks.actions import (
    clean_subscription,
    replay_delivery,
    subscribe_webhook,
    unsubscribe_webhook,
    update_webhook,
)
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionForm(forms.ModelForm[WebhookSubscription]):
    """Checked as the API checks subscriptions: the topics must be a list of strings, then the URL
    and topics go through ``clean_subscription`` (an internal address is refused unless
    ``WEBHOOK_ALLOW_PRIVATE``), whose messages are shown on the form."""

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["organisation", "api_token", "name", "url", "topics", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        topics = cleaned.get("topics")
        if "topics" in cleaned and not (isinstance(topics, list) and all(isinstance(t, str) for t in topics)):
            self.add_error("topics", _('Give the topics as a list of patterns, e.g. ["case.*"].'))
        elif "url" in cleaned and "topics" in cleaned:
            try:
                cleaned["topics"] = clean_subscription(cleaned["url"], cleaned["topics"])
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, problems)
        return cleaned


def _adopt(obj: WebhookSubscription, saved: WebhookSubscription) -> None:
    """Give the admin's object the values an action saved (the admin logs and redirects with it)."""
    for f in WebhookSubscription._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding, obj._state.db = False, saved._state.db


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    """Subscriptions are made, changed and deleted through ``webhooks.actions``, as in the API:
    the same URL check and audit records."""

    form = WebhookSubscriptionForm
    list_display = ["name", "organisation", "url", "active", "created_at"]
    list_filter = ["active", "organisation"]

    def get_fields(self, request: HttpRequest, obj: WebhookSubscription | None = None) -> tuple[str, ...]:
        if obj is None:  # a new subscription is active; its secret is made when it is saved
            return ("organisation", "api_token", "name", "url", "topics")
        return ("uuid", "organisation", "api_token", "name", "url", "topics", "active", "secret", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookSubscription | None = None) -> list[str]:
        # The API does not move a subscription to another organisation or system either.
        return [] if obj is None else ["uuid", "organisation", "api_token", "secret", "created_at"]

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookSubscription,
        form: forms.ModelForm[WebhookSubscription],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        if change:
            saved = update_webhook(
                actor=request.user,
                subscription=WebhookSubscription.objects.get(pk=obj.pk),  # as stored: the audit's "before"
                url=data["url"],
                topics=data["topics"],
                active=data["active"],
                name=data["name"],
            )
        else:
            saved = subscribe_webhook(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                url=data["url"],
                topics=data["topics"],
                api_token=data.get("api_token"),
            )
        _adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: WebhookSubscription) -> None:
        unsubscribe_webhook(actor=request.user, subscription=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        with transaction.atomic():
            for subscription in queryset:
                unsubscribe_webhook(actor=request.user, subscription=subscription)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
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
class Open311SubmissionAdmin(admin.ModelAdmin[Open311Submission]):
    list_display = ["case", "api_token", "device_id", "account_id", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Open311Submission | None = None) -> list[str]:
        return [f.name for f in Open311Submission._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Open311Intake)
class Open311IntakeAdmin(admin.ModelAdmin[Open311Intake]):
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

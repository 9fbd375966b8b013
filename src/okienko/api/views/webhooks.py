"""Webhook subscriptions of the calling system and their delivery log (with replay)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.api.base import ApiViewSet, ReadOnlyApiViewSet
from okienko.api.idempotency import idempotent
from okienko.api.models import Scope
from okienko.api.permissions import limit_to_token, may_in, token_of
from okienko.api.problems import ProblemError
from okienko.api.serializers import linked
from okienko.integrations.webhooks.actions import (
    WebhookUrlRefused,
    replay_delivery,
    subscribe_webhook,
    update_webhook,
)
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription


class SubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    topics = serializers.ListField(child=serializers.CharField(max_length=80), min_length=1, max_length=20)

    class Meta:
        model = WebhookSubscription
        fields = ["uuid", "organisation", "name", "url", "topics", "active", "created_at"]
        read_only_fields = ["uuid", "created_at"]


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Signing secret; shown only in this response.")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    subscription = linked("uuid")
    replay_of = linked("uuid")

    class Meta:
        model = WebhookDelivery
        fields = [
            "uuid", "subscription", "event_id", "topic", "payload", "status", "attempts", "next_attempt_at",
            "last_attempt_at", "last_status_code", "last_error", "delivered_at", "replay_of", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


def _check_organisation(request: Request, organisation: Organisation) -> None:
    token = token_of(request)
    if not may_in(request, Perm.CONFIGURE, organisation) and not (
        token is not None and organisation.is_within(token.organisation)
    ):
        raise ProblemError(403, _("You may not manage webhooks of this organisation."))


def _raise_invalid(exc: ValidationError) -> ProblemError:
    if isinstance(exc, WebhookUrlRefused):
        detail = _("Webhooks may not be sent to this address: %(reason)s") % {"reason": exc.message_dict["url"][0]}
        return ProblemError(400, detail, slug="webhook-url-not-allowed", errors=exc.message_dict)
    return ProblemError(400, _("The request has invalid fields."), slug="validation-error", errors=exc.message_dict)


class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """A token manages the subscriptions of its own organisation subtree; staff need ``admin.configure``."""

    serializer_class = SubscriptionSerializer
    read_scope = Scope.WEBHOOKS_MANAGE
    write_scope = Scope.WEBHOOKS_MANAGE
    lookup_field = "uuid"
    filterset_fields = ["active"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> QuerySet[Any]:
        qs = WebhookSubscription.objects.select_related("organisation")
        token = token_of(self.request)
        if token is None and not self.request.user.is_superuser:
            from okienko.api.permissions import organisations_for

            qs = qs.filter(organisation__in=organisations_for(self.request, Perm.CONFIGURE))
        return limit_to_token(self.request, qs)

    @extend_schema(summary="Subscribe", request=SubscriptionSerializer, responses={201: SubscriptionCreatedSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        form = SubscriptionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        _check_organisation(request, data["organisation"])
        try:
            subscription = subscribe_webhook(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                url=data["url"],
                topics=data["topics"],
                api_token=token_of(request),
            )
        except ValidationError as exc:
            raise _raise_invalid(exc) from None
        return Response(SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a subscription", request=SubscriptionSerializer, responses=SubscriptionSerializer)
    def partial_update(self, request: Request, uuid: str) -> Response:
        subscription = self.get_object()
        form = SubscriptionSerializer(subscription, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data: dict[str, Any] = form.validated_data
        try:
            update_webhook(
                actor=request.user,
                subscription=subscription,
                url=data.get("url"),
                topics=data.get("topics"),
                active=data.get("active"),
                name=data.get("name"),
            )
        except ValidationError as exc:
            raise _raise_invalid(exc) from None
        return Response(SubscriptionSerializer(subscription).data)


class DeliveryViewSet(ReadOnlyApiViewSet):
    serializer_class = DeliverySerializer
    read_scope = Scope.WEBHOOKS_MANAGE
    write_scope = Scope.WEBHOOKS_MANAGE
    lookup_field = "uuid"
    filterset_fields = ["status", "topic"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self) -> QuerySet[Any]:
        subscriptions = SubscriptionViewSet(request=self.request, format_kwarg=None).get_queryset()
        return WebhookDelivery.objects.filter(subscription__in=subscriptions).select_related(
            "subscription", "replay_of"
        )

    @extend_schema(summary="Send a delivery again", request=None, responses={201: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, uuid: str) -> Response:
        original = self.get_queryset().filter(uuid=uuid).first()
        if original is None:
            raise Http404
        replay = replay_delivery(actor=request.user, delivery=original)
        return Response(DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)

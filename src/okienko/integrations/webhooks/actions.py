"""Writes about webhook subscriptions and deliveries (audited)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.accounts.tokens import ApiToken
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.integrations.webhooks import urlguard
from okienko.integrations.webhooks.delivery import kick
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

_TOPIC = re.compile(r"^[a-z_*]+(\.[a-z_*]+)*$")
TRACKED = ["name", "url", "topics", "active"]
MAX_TOPICS, MAX_TOPIC_LENGTH = 20, 80  # as the API's serializer takes them


class WebhookUrlRefused(ValidationError):
    """The URL is well-formed but may not be called (internal address, credentials: ``urlguard``)."""


def clean_subscription(url: str, topics: Sequence[str]) -> list[str]:
    """Check a subscription's URL (well-formed and allowed by ``urlguard``) and topics; return the
    topics cleaned. Raises ``ValidationError`` keyed by field (``WebhookUrlRefused`` for a refused
    URL). Used by the actions below and by the admin's form, to show the problems on the form."""
    errors: dict[str, str] = {}
    refused = False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = _("Enter an http or https address.")
    else:
        try:
            urlguard.check_url(url)
        except urlguard.UrlNotAllowed as exc:
            errors["url"] = str(exc)
            refused = True
    cleaned = sorted({t.strip() for t in topics if t.strip()})
    if not cleaned:
        errors["topics"] = _("Name at least one topic, e.g. case.* or *.")
    elif len(cleaned) > MAX_TOPICS or any(len(t) > MAX_TOPIC_LENGTH for t in cleaned):
        errors["topics"] = _("Name at most %(n)d topics of at most %(length)d characters each.") % {
            "n": MAX_TOPICS,
            "length": MAX_TOPIC_LENGTH,
        }
    elif any(not _TOPIC.match(t) for t in cleaned):
        errors["topics"] = _("Topics are dotted names with * as a wildcard, e.g. case.status_changed.")
    if errors:
        raise (WebhookUrlRefused if refused else ValidationError)(errors)
    return cleaned


def subscribe_webhook(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    url: str,
    topics: Sequence[str],
    api_token: ApiToken | None = None,
) -> WebhookSubscription:
    cleaned = clean_subscription(url, topics)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organisation=organisation,
            api_token=api_token,
            name=name[:120],
            url=url,
            secret=secrets.token_hex(32),
            topics=cleaned,
            created_at=clock.now(),
        )
        audit.record(
            "webhooks.subscribed",
            actor=actor,
            obj=subscription,
            organisation_id=organisation.pk,
            changes=audit.diff({}, audit.snapshot(subscription, TRACKED)),
        )
        events.emit("webhook.subscribed", obj=subscription, organisation_id=organisation.pk)
    return subscription


def update_webhook(
    *,
    actor: Actor,
    subscription: WebhookSubscription,
    url: str | None = None,
    topics: Sequence[str] | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> WebhookSubscription:
    cleaned = clean_subscription(url or subscription.url, topics if topics is not None else subscription.topics)
    with transaction.atomic():
        before = audit.snapshot(subscription, TRACKED)
        subscription.url = url or subscription.url
        subscription.topics = cleaned
        subscription.name = (name or subscription.name)[:120]
        if active is not None:
            subscription.active = active
        subscription.save()
        audit.record(
            "webhooks.updated",
            actor=actor,
            obj=subscription,
            organisation_id=subscription.organisation_id,
            changes=audit.diff(before, audit.snapshot(subscription, TRACKED)),
        )
        events.emit("webhook.updated", obj=subscription, organisation_id=subscription.organisation_id)
    return subscription


def unsubscribe_webhook(*, actor: Actor, subscription: WebhookSubscription) -> None:
    """Delete a subscription (its delivery log goes with it)."""
    with transaction.atomic():
        audit.record(
            "webhooks.unsubscribed",
            actor=actor,
            obj=subscription,
            organisation_id=subscription.organisation_id,
            changes=audit.diff(audit.snapshot(subscription, TRACKED), {}),
            data={"uuid": str(subscription.uuid)},
        )
        events.emit("webhook.unsubscribed", obj=subscription, organisation_id=subscription.organisation_id)
        subscription.delete()


def replay_delivery(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's payload again as a new delivery (same event id, new delivery id)."""
    now = clock.now()
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            subscription=delivery.subscription,
            event_id=delivery.event_id,
            topic=delivery.topic,
            payload={},
            next_attempt_at=now,
            replay_of=delivery,
            created_at=now,
        )
        replay.payload = {**delivery.payload, "delivery": str(replay.uuid), "replay_of": str(delivery.uuid)}
        replay.save(update_fields=["payload"])
        audit.record(
            "webhooks.delivery_replayed",
            actor=actor,
            obj=replay,
            organisation_id=delivery.subscription.organisation_id,
            data={"replay_of": str(delivery.uuid)},
        )
        events.emit("webhook.replayed", obj=replay, organisation_id=delivery.subscription.organisation_id)
        transaction.on_commit(kick)
    return replay

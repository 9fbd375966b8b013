from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.core import events
from okienko.core.models import AuditRecord
from okienko.integrations.webhooks import delivery, signing
from okienko.integrations.webhooks.actions import replay_delivery, subscribe_webhook, update_webhook
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.webhooks.conftest import Receiver

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def city(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="city")


@pytest.fixture
def subscription(city: Organisation, receiver: Receiver) -> WebhookSubscription:
    return subscribe_webhook(actor=None, organisation=city, name="EZD", url=receiver.url, topics=["case.*"])


def _emit(organisation: Organisation, topic: str = "case.created") -> Any:
    event = events.emit(topic, organisation_id=organisation.pk, payload={"case_uuid": "u-1", "number": "CITY/1"})
    events.deliver_due()
    return event


def test_event_is_posted_signed_to_the_subscriber(subscription: WebhookSubscription, receiver: Receiver) -> None:
    with time_machine.travel(NOW, tick=False):
        event = _emit(subscription.organisation)
        assert delivery.deliver_due() == 1
        now = int(NOW.timestamp())
    [hit] = receiver.received
    assert hit.path == "/hooks/okienko"
    assert hit.headers["X-Okienko-Event"] == "case.created"
    assert hit.headers["Content-Type"] == "application/json; charset=utf-8"
    assert signing.verify(subscription.secret, hit.headers["X-Okienko-Signature"], hit.body, now=now)
    body = json.loads(hit.body)
    assert body["id"] == str(event.id)
    assert body["topic"] == "case.created"
    assert body["data"] == {"case_uuid": "u-1", "number": "CITY/1"}
    stored = WebhookDelivery.objects.get()
    assert (stored.status, stored.attempts, stored.last_status_code) == ("succeeded", 1, 204)
    assert hit.headers["X-Okienko-Delivery"] == str(stored.uuid)


def test_tampered_body_fails_verification(subscription: WebhookSubscription, receiver: Receiver) -> None:
    with time_machine.travel(NOW, tick=False):
        _emit(subscription.organisation)
        delivery.deliver_due()
    hit = receiver.received[0]
    assert not signing.verify(
        subscription.secret, hit.headers["X-Okienko-Signature"], hit.body + b" ", now=int(NOW.timestamp())
    )
    assert not signing.verify("other", hit.headers["X-Okienko-Signature"], hit.body, now=int(NOW.timestamp()))
    assert not signing.verify(
        subscription.secret, hit.headers["X-Okienko-Signature"], hit.body, now=int(NOW.timestamp()) + 3600
    )


def test_failing_receiver_is_retried_with_backoff(subscription: WebhookSubscription, receiver: Receiver) -> None:
    receiver.fail_first = 2
    with time_machine.travel(NOW, tick=False) as traveller:
        _emit(subscription.organisation)
        delivery.deliver_due()
        stored = WebhookDelivery.objects.get()
        assert (stored.status, stored.attempts, stored.last_status_code, stored.last_error) == (
            "pending", 1, 500, "HTTP 500",
        )  # fmt: skip
        assert stored.next_attempt_at == NOW + dt.timedelta(seconds=10)
        assert delivery.deliver_due() == 0  # not due yet
        traveller.shift(10)
        delivery.deliver_due()
        traveller.shift(20)
        delivery.deliver_due()
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("succeeded", 3)
    assert len(receiver.received) == 3
    assert len({r.headers["X-Okienko-Delivery"] for r in receiver.received}) == 1


def test_unreachable_receiver_ends_dead_after_the_last_attempt(
    city: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 2)
    subscribe_webhook(actor=None, organisation=city, name="gone", url="http://127.0.0.1:9/nothing", topics=["*"])
    with time_machine.travel(NOW, tick=False) as traveller:
        _emit(city)
        delivery.deliver_due()
        traveller.shift(10)
        delivery.deliver_due()
    stored = WebhookDelivery.objects.get()
    assert (stored.status, stored.attempts, stored.last_status_code) == ("dead", 2, None)
    assert "URLError" in stored.last_error


def test_replay_sends_the_same_event_again_as_a_new_delivery(
    subscription: WebhookSubscription, receiver: Receiver
) -> None:
    with time_machine.travel(NOW, tick=False):
        _emit(subscription.organisation)
        delivery.deliver_due()
        original = WebhookDelivery.objects.get()
        replay = replay_delivery(actor=None, delivery=original)
        delivery.deliver_due()
    first, second = (json.loads(r.body) for r in receiver.received)
    assert first["id"] == second["id"]
    assert second["delivery"] == str(replay.uuid) != first["delivery"]
    assert second["replay_of"] == str(original.uuid)
    replay.refresh_from_db()
    assert replay.status == "succeeded"
    assert AuditRecord.objects.filter(action="webhooks.delivery_replayed").count() == 1


def test_fan_out_is_idempotent_per_event(subscription: WebhookSubscription) -> None:
    event = _emit(subscription.organisation)
    assert delivery.fan_out(event) == 0
    assert WebhookDelivery.objects.count() == 1


def test_events_of_other_organisations_and_topics_are_not_sent(
    subscription: WebhookSubscription, region: Organisation
) -> None:
    _emit(region)  # the WUP tree, not the city
    _emit(subscription.organisation, topic="interaction.recorded")
    assert WebhookDelivery.objects.count() == 0


def test_events_of_sub_organisations_are_sent(subscription: WebhookSubscription) -> None:
    _emit(Organisation.objects.get(code="city-unit"))
    assert WebhookDelivery.objects.count() == 1


def test_inactive_subscription_receives_nothing(subscription: WebhookSubscription) -> None:
    update_webhook(actor=None, subscription=subscription, active=False)
    _emit(subscription.organisation)
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "topics", "field"),
    [
        ("ftp://x.example/", ["case.*"], "url"),
        ("https://x.example/", [], "topics"),
        ("https://x.example/", ["Case!"], "topics"),
    ],
)
def test_invalid_subscription_is_refused(city: Organisation, url: str, topics: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        subscribe_webhook(actor=None, organisation=city, name="x", url=url, topics=topics)
    assert list(caught.value.message_dict) == [field]


def test_delivery_log_is_visible_in_the_admin(
    subscription: WebhookSubscription, client: Client, make_user: Callable[..., User]
) -> None:
    _emit(subscription.organisation)
    admin = make_user("root")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    response = client.get("/admin/integrations/webhookdelivery/")
    assert response.status_code == 200
    assert b"case.created" in response.content

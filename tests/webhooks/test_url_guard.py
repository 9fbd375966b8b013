"""Webhooks are sent only to public addresses (SSRF protection), checked on subscribing and on
every delivery, without following redirects. These tests run with WEBHOOK_ALLOW_PRIVATE off,
except where a loopback receiver has to answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.api.actions import issue_api_token
from okienko.conf import env
from okienko.core import events
from okienko.integrations.webhooks import delivery, urlguard
from okienko.integrations.webhooks.actions import WebhookUrlRefused, subscribe_webhook, update_webhook
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.webhooks.conftest import Receiver

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PUBLIC_V4 = "93.184.216.34"


@pytest.fixture
def city(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="city")


@pytest.fixture
def strict(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False


INTERNAL = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.10",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # noqa: S104
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_refused(address: str, strict: None, dns: dict[str, list[str]]) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(urlguard.UrlNotAllowed):
        urlguard.check_url(f"https://{host}/hooks")


@pytest.mark.parametrize("address", [PUBLIC_V4, "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_accepted(address: str, strict: None, dns: dict[str, list[str]]) -> None:
    host = f"[{address}]" if ":" in address else address
    urlguard.check_url(f"https://{host}:8443/hooks")


def test_host_resolving_to_a_private_address_is_refused(strict: None, dns: dict[str, list[str]]) -> None:
    dns["ezd.example.org"] = [PUBLIC_V4, "10.0.0.7"]
    with pytest.raises(urlguard.UrlNotAllowed, match=r"10\.0\.0\.7"):
        urlguard.check_url("https://ezd.example.org/hooks")
    dns["ezd.example.org"] = [PUBLIC_V4]
    urlguard.check_url("https://ezd.example.org/hooks")


def test_unresolvable_host_is_refused(strict: None, dns: dict[str, list[str]]) -> None:
    with pytest.raises(urlguard.UrlNotAllowed, match=r"nowhere\.invalid"):
        urlguard.check_url("https://nowhere.invalid/hooks")


@pytest.mark.parametrize(
    "url", ["https://user:secret@ezd.example.org/hooks", "https://token@ezd.example.org/", "file:///etc/passwd"]
)
def test_credentials_and_other_schemes_are_refused_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(urlguard.UrlNotAllowed):
        urlguard.check_url(url)


def test_subscribing_to_an_internal_address_is_refused(
    city: Organisation, strict: None, dns: dict[str, list[str]]
) -> None:
    with pytest.raises(WebhookUrlRefused) as caught:
        subscribe_webhook(actor=None, organisation=city, name="x", url="http://169.254.169.254/latest", topics=["*"])
    assert list(caught.value.message_dict) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_changing_the_url_to_an_internal_address_is_refused(
    city: Organisation, strict: None, dns: dict[str, list[str]]
) -> None:
    dns["ezd.example.org"] = [PUBLIC_V4]
    subscription = subscribe_webhook(
        actor=None, organisation=city, name="EZD", url="https://ezd.example.org/hooks", topics=["case.*"]
    )
    with pytest.raises(ValidationError):
        update_webhook(actor=None, subscription=subscription, url="http://[::ffff:127.0.0.1]:8000/")
    subscription.refresh_from_db()
    assert subscription.url == "https://ezd.example.org/hooks"


def _api(city: Organisation) -> APIClient:
    issued = issue_api_token(actor=None, organisation=city, name="EZD", scopes=["webhooks:manage"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}", HTTP_ACCEPT_LANGUAGE="en")
    return api


def test_api_answers_a_problem_naming_the_refused_address(
    city: Organisation, strict: None, dns: dict[str, list[str]]
) -> None:
    api = _api(city)
    dns["intranet.example.org"] = ["192.168.0.20"]
    response = api.post(
        "/api/v1/webhooks/subscriptions/",
        {"organisation": "city", "name": "EZD", "url": "https://intranet.example.org/hooks", "topics": ["case.*"]},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://okienko.example/problems/webhook-url-not-allowed"
    assert "192.168.0.20" in problem["detail"]
    assert list(problem["errors"]) == ["url"]


def test_api_refuses_credentials_in_the_url(city: Organisation) -> None:
    api = _api(city)
    response = api.post(
        "/api/v1/webhooks/subscriptions/",
        {"organisation": "city", "name": "EZD", "url": "https://a:b@ezd.example.org/", "topics": ["*"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/webhook-url-not-allowed")


def _deliver(organisation: Organisation) -> WebhookDelivery:
    with time_machine.travel(NOW, tick=False):
        events.emit("case.created", organisation_id=organisation.pk, payload={"number": "CITY/1"})
        events.deliver_due()
        delivery.deliver_due()
    return WebhookDelivery.objects.get()


def test_delivery_rechecks_the_address_and_refuses_a_rebound_name(
    city: Organisation, strict: None, dns: dict[str, list[str]], receiver: Receiver
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.org"] = [PUBLIC_V4]
    subscribe_webhook(
        actor=None, organisation=city, name="EZD", url=f"http://hooks.example.org:{port}/h", topics=["case.*"]
    )
    dns["hooks.example.org"] = ["127.0.0.1"]  # the name now points inside (DNS rebinding)
    stored = _deliver(city)
    assert receiver.received == []
    assert (stored.status, stored.attempts, stored.last_status_code) == ("pending", 1, None)
    assert stored.last_error.startswith("refused: 127.0.0.1")


def test_delivery_connects_to_the_checked_address(
    city: Organisation, dns: dict[str, list[str]], receiver: Receiver
) -> None:
    """The connection uses the address the check saw, not a second lookup of its own."""
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.org"] = ["127.0.0.1"]
    subscribe_webhook(
        actor=None, organisation=city, name="EZD", url=f"http://hooks.example.org:{port}/h", topics=["case.*"]
    )
    stored = _deliver(city)
    assert stored.status == "succeeded"
    [hit] = receiver.received
    assert hit.headers["Host"] == f"hooks.example.org:{port}"


def test_redirects_are_not_followed(city: Organisation, receiver: Receiver) -> None:
    receiver.redirect_to = receiver.url + "/elsewhere"
    subscribe_webhook(actor=None, organisation=city, name="EZD", url=receiver.url, topics=["case.*"])
    stored = _deliver(city)
    assert [hit.path for hit in receiver.received] == ["/hooks/okienko"]
    assert (stored.status, stored.last_status_code, stored.last_error) == ("pending", 307, "HTTP 307")


@pytest.mark.parametrize(
    ("profile", "allowed"), [("production", False), ("embedded", False), ("dev", True), ("test", True)]
)
def test_private_addresses_are_allowed_only_in_the_test_and_dev_profiles(
    profile: str, allowed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKIENKO_PROFILE", profile)
    monkeypatch.delenv("OKIENKO_WEBHOOK_ALLOW_PRIVATE", raising=False)
    assert env.read_environment().webhook_allow_private is allowed
    monkeypatch.setenv("OKIENKO_WEBHOOK_ALLOW_PRIVATE", "0" if allowed else "1")
    assert env.read_environment().webhook_allow_private is not allowed


def test_https_deliveries_are_checked_on_connect_too(
    city: Organisation, strict: None, dns: dict[str, list[str]]
) -> None:
    dns["secure.example.org"] = [PUBLIC_V4]
    subscribe_webhook(actor=None, organisation=city, name="EZD", url="https://secure.example.org/h", topics=["*"])
    dns["secure.example.org"] = ["10.20.30.40"]
    stored = _deliver(city)
    assert stored.last_error.startswith("refused: 10.20.30.40")

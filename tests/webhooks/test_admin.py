"""Subscriptions edited in the Django admin go through the webhook actions: the API's URL check
(SSRF guard) with a readable form error, and audit records for creating, changing and deleting."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.integrations.webhooks.actions import subscribe_webhook
from okienko.integrations.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db

ADMIN = "/admin/integrations/webhooksubscription/"
PUBLIC = "https://93.184.216.34/hooks"
INTERNAL_MESSAGE = "is a loopback, private or otherwise internal address"


@pytest.fixture
def city(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="city")


@pytest.fixture(autouse=True)
def strict(settings: Any, dns: dict[str, list[str]]) -> None:
    """Private addresses refused; names resolve without the network (only literal addresses)."""
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def root(client: Client, make_user: Callable[..., User]) -> User:
    user = make_user("root")
    user.is_superuser = user.is_staff = True
    user.save()
    client.force_login(user)
    return user


def _add(client: Client, city: Organisation, **fields: Any) -> Any:
    data = {"organisation": city.pk, "api_token": "", "name": "EZD", "url": PUBLIC, "topics": '["case.*"]', **fields}
    return client.post(f"{ADMIN}add/", data, HTTP_ACCEPT_LANGUAGE="en")


def _change(client: Client, subscription: WebhookSubscription, **fields: Any) -> Any:
    data = {
        "name": subscription.name,
        "url": subscription.url,
        "topics": json.dumps(subscription.topics),
        "active": "on" if subscription.active else "",
        **fields,
    }
    data = {k: v for k, v in data.items() if v != ""}
    return client.post(f"{ADMIN}{subscription.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def subscription(city: Organisation) -> WebhookSubscription:
    return subscribe_webhook(actor=None, organisation=city, name="EZD", url=PUBLIC, topics=["case.*"])


def test_the_admin_pages_open(client: Client, root: User, subscription: WebhookSubscription) -> None:
    assert client.get(f"{ADMIN}add/").status_code == 200
    page = client.get(f"{ADMIN}{subscription.pk}/change/")
    assert page.status_code == 200
    assert subscription.secret.encode() in page.content  # shown read-only, as before


def test_creating_in_the_admin_is_audited(client: Client, root: User, city: Organisation) -> None:
    response = _add(client, city, topics='["case.*", "client.created"]')
    assert response.status_code == 302
    created = WebhookSubscription.objects.get()
    assert (created.url, created.topics, created.active) == (PUBLIC, ["case.*", "client.created"], True)
    assert len(created.secret) == 64
    record = AuditRecord.objects.get(action="webhooks.subscribed")
    assert record.actor_id == root.pk
    assert record.object_id == str(created.pk)
    assert record.changes["url"] == [None, PUBLIC]
    assert OutboxEvent.objects.filter(topic="webhook.subscribed", aggregate_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hooks", "http://169.254.169.254/latest", "http://[::ffff:10.0.0.1]/"]
)
def test_creating_with_an_internal_address_shows_a_form_error(
    client: Client, root: User, city: Organisation, url: str
) -> None:
    response = _add(client, city, url=url)
    assert response.status_code == 200
    assert INTERNAL_MESSAGE in response.context["adminform"].form.errors["url"][0]
    assert INTERNAL_MESSAGE.encode() in response.content
    assert not WebhookSubscription.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="webhooks.").exists()


def test_internal_addresses_are_accepted_when_private_is_allowed(
    client: Client, root: User, city: Organisation, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert _add(client, city, url="http://127.0.0.1:8000/hooks").status_code == 302
    assert WebhookSubscription.objects.get().url == "http://127.0.0.1:8000/hooks"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "https://user:secret@93.184.216.34/hooks"}, "url"),
        ({"topics": '"case.*"'}, "topics"),
        ({"topics": "[]"}, "topics"),
        ({"topics": '["Case!"]'}, "topics"),
        ({"topics": json.dumps([f"case.t{i}" for i in range(21)])}, "topics"),
    ],
)
def test_creating_with_invalid_fields_shows_form_errors(
    client: Client, root: User, city: Organisation, fields: dict[str, str], field: str
) -> None:
    response = _add(client, city, **fields)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert not WebhookSubscription.objects.exists()


def test_changing_in_the_admin_is_audited(client: Client, root: User, subscription: WebhookSubscription) -> None:
    new_url = "https://93.184.216.35/hooks/v2"
    response = _change(client, subscription, url=new_url, active="")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.url, subscription.active) == (new_url, False)
    record = AuditRecord.objects.get(action="webhooks.updated")
    assert record.actor_id == root.pk
    assert record.changes == {"active": [True, False], "url": [PUBLIC, new_url]}
    assert OutboxEvent.objects.filter(topic="webhook.updated").exists()


def test_changing_to_an_internal_address_shows_a_form_error(
    client: Client, root: User, subscription: WebhookSubscription
) -> None:
    response = _change(client, subscription, url="http://10.0.0.7/hooks")
    assert response.status_code == 200
    assert INTERNAL_MESSAGE in response.context["adminform"].form.errors["url"][0]
    subscription.refresh_from_db()
    assert subscription.url == PUBLIC
    assert not AuditRecord.objects.filter(action="webhooks.updated").exists()


def test_the_organisation_and_system_are_not_changed_in_the_admin(
    client: Client, root: User, subscription: WebhookSubscription, region: Organisation
) -> None:
    other = Organisation.objects.exclude(pk=subscription.organisation_id).first()
    assert other is not None
    assert _change(client, subscription, organisation=str(other.pk)).status_code == 302
    subscription.refresh_from_db()
    assert subscription.organisation.code == "city"


def test_deleting_in_the_admin_is_audited(client: Client, root: User, subscription: WebhookSubscription) -> None:
    response = client.post(f"{ADMIN}{subscription.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not WebhookSubscription.objects.exists()
    record = AuditRecord.objects.get(action="webhooks.unsubscribed")
    assert record.actor_id == root.pk
    assert record.object_id == str(subscription.pk)
    assert record.changes["url"] == [PUBLIC, None]
    assert OutboxEvent.objects.filter(topic="webhook.unsubscribed").exists()


def test_deleting_several_in_the_admin_audits_each(client: Client, root: User, city: Organisation) -> None:
    first = subscribe_webhook(actor=None, organisation=city, name="A", url=PUBLIC, topics=["*"])
    second = subscribe_webhook(actor=None, organisation=city, name="B", url=PUBLIC, topics=["*"])
    response = client.post(
        ADMIN, {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not WebhookSubscription.objects.exists()
    assert set(AuditRecord.objects.filter(action="webhooks.unsubscribed").values_list("object_id", flat=True)) == {
        str(first.pk),
        str(second.pk),
    }

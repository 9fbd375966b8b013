"""The SMSAPI.pl gateway against a faithful fake of its HTTP API on loopback, through SMSAPI's own
Python client: sending with the idx guard, permanent and temporary refusals, an unreachable
service; the delivery-report and inbound callbacks with their secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from okienko.channels.models import SmsSender
from okienko.channels.sms import gateways
from okienko.channels.sms.smsapi import SmsapiGateway
from okienko.clients.actions import add_contact
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions.models import Interaction
from tests.channels.conftest import Post
from tests.channels.fake_smsapi import TOKEN, FakeSmsapi
from tests.portal.test_fuzzing import NASTY

pytestmark = pytest.mark.django_db

SECRET = "cb-secret-0123456789"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeSmsapi]:
    with FakeSmsapi() as server:
        settings.OKIENKO_SMS_GATEWAY = "smsapi"
        settings.OKIENKO_SMSAPI_URL = server.url
        settings.OKIENKO_SMSAPI_TOKEN = TOKEN
        settings.OKIENKO_SMSAPI_CALLBACK_SECRET = SECRET
        yield server


def _send(*messages: gateways.Outgoing) -> list[Any]:
    return [result for _message, result in gateways.gateway().send(list(messages))]


def test_a_message_is_sent_once_even_when_retried(fake: FakeSmsapi) -> None:
    outgoing = gateways.Outgoing("ref-1", "+48601234567", "Sprawa przyjęta: " + "ż" * 80, "UMLodz", "ucs2")
    [first] = _send(outgoing)
    assert isinstance(first, gateways.Submitted)
    assert first.segments == 2
    [sent] = fake.state.sent
    assert (sent["to"], sent["from"], sent["idx"]) == ("48601234567", "UMLodz", "ref-1")
    [again] = _send(outgoing)  # the answer was lost and the worker tries again: the idx guard
    assert isinstance(again, gateways.Refused)
    assert len(fake.state.sent) == 1


def test_refusals_are_permanent_or_temporary(fake: FakeSmsapi) -> None:
    [wrong_sender] = _send(gateways.Outgoing("r1", "+48601234567", "x", "Nieznany"))
    assert isinstance(wrong_sender, gateways.Refused)
    assert not wrong_sender.temporary
    fake.state.throttle = 1
    [throttled] = _send(gateways.Outgoing("r2", "+48601234567", "x", "UMLodz"))
    assert isinstance(throttled, gateways.Refused)
    assert throttled.temporary
    fake.state.http_error = 1
    [down] = _send(gateways.Outgoing("r3", "+48601234567", "x", "UMLodz"))
    assert isinstance(down, gateways.Refused)
    assert down.temporary
    [fine] = _send(gateways.Outgoing("r4", "+48601234567", "x", "UMLodz"))
    assert isinstance(fine, gateways.Submitted)


def test_an_unreachable_service_is_a_temporary_refusal(settings: Any) -> None:
    from tests.conftest import free_port

    gateway = SmsapiGateway(token=TOKEN, url=f"http://127.0.0.1:{free_port()}/")
    [(_message, result)] = list(gateway.send([gateways.Outgoing("r", "+48601234567", "x", "UMLodz")]))
    assert isinstance(result, gateways.Refused)
    assert result.temporary


def test_delivery_reports_arrive_through_the_callback_with_its_secret(fake: FakeSmsapi, client: WebClient) -> None:
    [submitted] = _send(gateways.Outgoing("ref-9", "+48601234567", "x", "UMLodz"))
    assert isinstance(submitted, gateways.Submitted)
    [message_id] = submitted.provider_ids
    assert client.get("/channels/sms/smsapi/wrong-secret/report", fake.report(message_id)).status_code == 404
    response = client.get(f"/channels/sms/smsapi/{SECRET}/report", fake.report(message_id))
    assert response.content == b"OK"
    [event] = OutboxEvent.objects.filter(topic="sms.report")
    assert (event.payload["provider_id"], event.payload["status"]) == (message_id, "delivered")
    client.get(f"/channels/sms/smsapi/{SECRET}/report", fake.report(message_id, "SENT"))  # not final
    assert OutboxEvent.objects.filter(topic="sms.report").count() == 1


def test_a_message_from_a_phone_arrives_through_the_callback(fake: FakeSmsapi, client: WebClient, post: Post) -> None:
    add_contact(actor=None, client=post.client, kind="phone", value="601 234 567")
    SmsSender.objects.create(organisation=post.centre, name="LodzCKM", number="+48500100200")
    response = client.post(f"/channels/sms/smsapi/{SECRET}/inbound", fake.inbound("48601234567", "Dzień dobry"))
    assert response.content == b"OK"
    contact = Interaction.objects.get(channel="sms")
    assert contact.client == post.client
    assert contact.question == "Dzień dobry"
    bad = client.post(f"/channels/sms/smsapi/{SECRET}/inbound", fake.inbound("not-a-number", "x"))
    assert bad.content == b"OK"
    assert AuditRecord.objects.filter(action="sms.rejected").exists()
    assert Interaction.objects.filter(channel="sms").count() == 1


def test_callbacks_are_refused_when_no_secret_is_configured(settings: Any, client: WebClient) -> None:
    settings.OKIENKO_SMSAPI_CALLBACK_SECRET = ""
    assert client.get("/channels/sms/smsapi/x/report", {"MsgId": "1"}).status_code == 404
    assert client.post("/channels/sms/smsapi/x/inbound", {"sms_from": "1"}).status_code == 404


@hypothesis_settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
@given(
    params=st.dictionaries(
        st.sampled_from(["MsgId", "status", "status_name", "donedate", "sms_from", "sms_to", "sms_text", "sms_date"]),
        st.one_of(st.sampled_from(NASTY), st.text(max_size=80)),
    ),
    post_it=st.booleans(),
)
def test_the_callbacks_never_fail(
    fake: FakeSmsapi, client: WebClient, post: Post, params: dict[str, str], post_it: bool
) -> None:
    client.raise_request_exception = False
    for kind in ("report", "inbound"):
        url = f"/channels/sms/smsapi/{SECRET}/{kind}"
        response = client.post(url, params) if post_it else client.get(url, params)
        assert response.status_code < 500, (kind, params)

"""The SMPP 3.4 gateway against a faithful SMSC over loopback: bind, long messages in segments
with a UDH, GSM-7 and UCS-2, delivery receipts matched to the ids the SMSC gave, messages from
phones, throttling and invalid numbers, a dropped connection, a refused bind; and the notification
queue draining over SMPP across an SMSC that drops the line, without loss and in order."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from okienko.channels.sms import gateways
from okienko.channels.sms.smpp import SmppGateway
from tests.channels.fake_smsc import PASSWORD, SYSTEM_ID, FakeSmsc

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def smsc(settings: Any) -> Iterator[FakeSmsc]:
    warnings.simplefilter("ignore", DeprecationWarning)
    with FakeSmsc() as server:
        settings.OKIENKO_SMS_GATEWAY = "smpp"
        settings.OKIENKO_SMPP_HOST, settings.OKIENKO_SMPP_PORT = "127.0.0.1", server.port
        settings.OKIENKO_SMPP_SYSTEM_ID, settings.OKIENKO_SMPP_PASSWORD = SYSTEM_ID, PASSWORD
        yield server


def _out(n: int, text: str = "Sprawa przyjeta", to: str = "+48601234567", kind: str = "gsm7") -> gateways.Outgoing:
    return gateways.Outgoing(f"ref-{n}", to, text, "UMLodz", kind)


def test_messages_in_segments_and_their_receipts(smsc: FakeSmsc) -> None:
    gateway = SmppGateway()
    long_polish = "Zażółć gęślą jaźń " * 6  # 108 UCS-2 characters: two segments
    results = [r for _m, r in gateway.send([_out(1), _out(2, long_polish, kind="ucs2"), _out(3, "{" * 100)])]
    assert [type(r).__name__ for r in results] == ["Submitted", "Submitted", "Submitted"]
    assert [r.segments for r in results] == [1, 2, 2]  # type: ignore[union-attr]
    segments = smsc.state.submitted
    assert len(segments) == 5
    two = [s for s in segments if s["data_coding"] == 0x08]
    assert [s["data"][:3] for s in two] == [b"\x05\x00\x03", b"\x05\x00\x03"]  # UDH of a concatenated SMS
    assert [s["data"][5] for s in two] == [1, 2]
    text = b"".join(s["data"][6:] for s in two).decode("utf-16-be")
    assert text == long_polish
    # The receipts arrived while sending; they were handed over at once as sms.report events.
    from okienko.core.models import OutboxEvent

    reports = OutboxEvent.objects.filter(topic="sms.report")
    assert {e.payload["provider_id"] for e in reports} == {s["id"] for s in segments}
    assert {e.payload["status"] for e in reports} == {"delivered"}


def test_a_message_from_a_phone(smsc: FakeSmsc) -> None:
    smsc.phone_sends("48601234567", "Dziękuję, żółw")
    received = SmppGateway().receive()
    [message] = received.messages
    assert (message.sender, message.text, message.to) == ("+48601234567", "Dziękuję, żółw", "+48500100200")


def test_throttling_and_invalid_numbers(smsc: FakeSmsc) -> None:
    smsc.state.throttle = 1
    results = [r for _m, r in SmppGateway().send([_out(1), _out(2, to="+4812"), _out(3)])]
    throttled, invalid, fine = results
    assert isinstance(throttled, gateways.Refused)
    assert throttled.temporary
    assert isinstance(invalid, gateways.Refused)
    assert not invalid.temporary
    assert isinstance(fine, gateways.Submitted)


def test_a_dropped_connection_and_a_refused_bind_are_temporary(smsc: FakeSmsc, settings: Any) -> None:
    smsc.state.drop_after = 1
    results = [r for _m, r in SmppGateway().send([_out(1), _out(2), _out(3)])]
    assert isinstance(results[0], gateways.Submitted)
    assert all(isinstance(r, gateways.Refused) and r.temporary for r in results[1:])
    settings.OKIENKO_SMPP_PASSWORD = "wrong"
    [refused] = [r for _m, r in SmppGateway().send([_out(4)])]
    assert isinstance(refused, gateways.Refused)
    assert refused.temporary


def test_an_smsc_that_is_down(settings: Any) -> None:
    from tests.conftest import free_port

    settings.OKIENKO_SMPP_HOST, settings.OKIENKO_SMPP_PORT = "127.0.0.1", free_port()
    [refused] = [r for _m, r in SmppGateway().send([_out(1)])]
    assert isinstance(refused, gateways.Refused)
    assert refused.temporary
    assert SmppGateway().receive().messages == []


def test_the_notification_queue_drains_over_smpp_across_a_dropped_line(
    smsc: FakeSmsc, make_user: Callable[..., Any]
) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from okienko.accounts.models import Organisation
    from okienko.channels.sms import inbound
    from okienko.notifications import queue
    from okienko.notifications.models import Notification

    office = Organisation.objects.create(code="smpp-city", name="Miasto", kind=Organisation.Kind.CITY)
    now = timezone.now()
    for n in range(30):
        Notification.objects.create(
            key=f"smpp-{n}",
            organisation=office,
            event="case_message",
            channel="sms",
            recipient=f"+486012345{n:02d}",
            body_text=f"Wiadomosc {n}",
            available_at=now,
            created_at=now,
        )
    smsc.state.drop_after = 12
    from okienko.core import events

    with time_machine.travel(now, tick=False) as traveller:
        for _round in range(20):
            queue.drain(rounds=5)
            traveller.shift(dt.timedelta(minutes=2))
            if not Notification.objects.filter(status="queued").exists():
                break
        inbound.process(SmppGateway().receive())  # anything the SMSC still holds
        for _round in range(10):  # the receipts' events, as the outbox worker delivers them
            if not events.deliver_due():
                break
    assert (
        Notification.objects.filter(status="sent").count() + Notification.objects.filter(status="delivered").count()
        == 30
    )
    firsts: list[str] = []
    for submitted in smsc.state.submitted:
        if submitted["to"][-2:] not in firsts:
            firsts.append(submitted["to"][-2:])
    assert firsts == [f"{n:02d}" for n in range(30)]  # nothing lost, first sent in the order queued
    # Only the one message in flight when the line dropped could go twice; this SMSC had not taken it.
    assert len(smsc.state.submitted) == 30
    assert Notification.objects.filter(status="delivered").count() == 30  # every receipt matched

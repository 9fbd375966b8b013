"""Notifications by SMS through the file gateway: a client who chose SMS gets the message as the
office's sender name, in GSM-7 when the office transliterates, held back during their quiet hours
and past the hourly limit; the operator's delivery report is recorded on the message and its case;
an opt-out is confirmed by one last SMS."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from okienko.channels.models import SmsSender
from okienko.channels.sms import gateways, inbound
from okienko.clients.models import Client, ClientConsent, ClientContact
from okienko.notifications.models import Event, Notification, Preference
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_root(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "sms"


@pytest.fixture
def texter(city: City) -> Client:
    person = Client.objects.create(
        number="K-7",
        first_name="Zofia",
        last_name="Żak",
        home_office=city.centre,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    ClientContact.objects.create(client=person, kind="phone", value="601 234 567", normalized="601234567")
    Preference.objects.create(client=person, channel="sms", updated_at=timezone.now())
    return person


def _outbox(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((root / "outbox").glob("*.json"))]


def test_a_client_who_chose_sms_gets_one_with_the_offices_name_and_its_delivery_is_recorded(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    SmsSender.objects.create(organisation=city.city, name="UMLodz", transliterate=True)
    case = open_pothole(city, client=texter, reporter={})
    workers()
    [sms] = _outbox(sms_root)
    assert (sms["to"], sms["from"], sms["encoding"], sms["segments"]) == ("+48601234567", "UMLodz", "gsm7", 1)
    assert sms["text"].startswith(f"Przyjelismy zgloszenie {case.number}.")
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.segments) == ("sent", 1)
    inbound.process(gateways.FileGateway().receive())  # the operator's delivery report
    workers()
    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert notification.delivered_at is not None
    assert case.events.filter(kind="message", summary__startswith="Wiadomość").count() >= 2


def test_quiet_hours_hold_an_sms_until_morning(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    Preference.objects.filter(client=texter).update(quiet_from=dt.time(21, 0), quiet_until=dt.time(8, 0))
    late = dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC)  # 23:30 in Warsaw
    with time_machine.travel(late, tick=False):
        case = open_pothole(city, client=texter, reporter={})
        workers()
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts, notification.status_reason) == ("queued", 0, "quiet hours")
    assert timezone.localtime(notification.available_at).time() == dt.time(8, 0)
    assert not (sms_root / "outbox").exists() or not _outbox(sms_root)
    with time_machine.travel(late + dt.timedelta(hours=9), tick=False):
        workers()
    assert len(_outbox(sms_root)) == 1


def test_an_event_without_sms_wording_goes_by_e_mail_and_a_refusal_is_respected(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    ClientContact.objects.create(client=texter, kind="email", value="zofia@example.pl", normalized="zofia@example.pl")
    ClientConsent.objects.create(
        client=texter, topic="sms", granted=False, given_at=timezone.now(), source=ClientConsent.Source.PHONE
    )
    case = open_pothole(city, client=texter, reporter={})
    workers()
    notification = Notification.objects.get(case=case)
    assert (notification.channel, notification.recipient) == ("email", "zofia@example.pl")


def test_stop_is_confirmed_by_one_last_sms(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    SmsSender.objects.create(organisation=city.centre, name="LodzCKM", number="+48500100200")
    inbox = sms_root / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "stop.txt").write_text("From: +48 601 234 567\nNIE", "utf-8")
    inbound.process(gateways.FileGateway().receive())
    workers()
    [confirmation] = _outbox(sms_root)
    assert confirmation["text"].startswith("Nie będziemy już wysyłać SMS-ów")
    assert Notification.objects.get(event=Event.SMS_OPTED_OUT).status == "sent"
    case = open_pothole(city, client=texter, reporter={})
    workers()
    assert len(_outbox(sms_root)) == 1  # nothing more by SMS
    assert not Notification.objects.filter(case=case, channel="sms", status="sent").exists()


def test_an_invalid_number_fails_for_good(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    ClientContact.objects.filter(client=texter).update(value="12")
    case = open_pothole(city, client=texter, reporter={})
    workers()
    notification = Notification.objects.get(case=case)
    assert notification.status == "failed"
    assert "not a mobile number" in notification.status_reason


def test_an_sms_answering_our_last_sms_goes_onto_its_case(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    from okienko.cases import actions

    SmsSender.objects.create(organisation=city.centre, name="LodzCKM", number="+48500100200")
    case = open_pothole(city, client=texter, reporter={})
    case = actions.ask_client(actor=city.expert, case=case, message="Proszę podać głębokość.")
    workers()
    inbox = sms_root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "answer.txt").write_text("From: 601234567\nOkoło 15 cm", "utf-8")
    inbound.process(gateways.FileGateway().receive())
    workers()
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.notes.filter(body="Około 15 cm").exists()


def test_without_a_preference_the_answer_goes_back_the_way_the_client_wrote(
    city: City, texter: Client, sms_root: Path, workers: Callable[[], int]
) -> None:
    from okienko.interactions.actions import record_interaction

    Preference.objects.filter(client=texter).delete()
    ClientContact.objects.create(client=texter, kind="email", value="zofia@example.pl", normalized="zofia@example.pl")
    by_mail = open_pothole(city, client=texter, reporter={})
    workers()
    assert Notification.objects.get(case=by_mail).channel == "email"
    record_interaction(actor=None, channel="sms", organisation=city.centre, client=texter, question="Pytanie SMS-em")
    by_sms = open_pothole(city, client=texter, reporter={})
    workers()
    assert Notification.objects.get(case=by_sms).channel == "sms"


def test_the_case_page_says_how_the_client_is_told_and_counts_the_reply_in_sms(
    city: City, texter: Client, workers: Callable[[], int], client: Any
) -> None:
    case = open_pothole(city, client=texter, reporter={})
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "SMS-em na numer 601 234 567" in page
    assert 'id="sms-plan"' in page
    plan = client.post("/desk/notifications/sms-plan", {"text": "Zażółć " * 12}, HTTP_ACCEPT_LANGUAGE="pl").json()
    assert (plan["segments"], plan["encoding"]) == (2, "ucs2")
    assert "2 SMS" in plan["summary"]
    client.force_login(city.consultant)
    assert client.post("/desk/notifications/sms-plan", {"text": "x"}).status_code == 403

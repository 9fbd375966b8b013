"""SMS: encoding and segments, the file gateway, and what an incoming SMS becomes — an opt-out,
a status answer, a message on its case, a contact on the client's history — through the files an
operator would exchange (``var/sms``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from okienko.cases.workflow import Status
from okienko.channels.models import SmsSender
from okienko.channels.sms import encoding, gateways, inbound
from okienko.clients.actions import add_contact
from okienko.clients.models import ClientConsent
from okienko.core.models import OutboxEvent
from okienko.interactions.models import Interaction
from tests.channels.conftest import Post

pytestmark = pytest.mark.django_db

NUMBER = "+48601234567"


@pytest.mark.parametrize(
    ("text", "kind", "segments"),
    [
        ("Sprawa przyjeta", "gsm7", 1),
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("{" * 80, "gsm7", 1),  # extension characters take two septets
        ("{" * 81, "gsm7", 2),
        ("Zażółć gęślą jaźń", "ucs2", 1),
        ("ż" * 70, "ucs2", 1),
        ("ż" * 71, "ucs2", 2),
        ("😀" * 35, "ucs2", 1),  # surrogate pairs count twice
        ("", "gsm7", 0),
    ],
)
def test_encoding_and_segments(text: str, kind: str, segments: int) -> None:
    planned = encoding.plan(text)
    assert (planned.encoding, planned.segments) == (kind, segments)


def test_polish_letters_are_transliterated_on_request_and_parts_never_split_a_pair() -> None:
    planned = encoding.plan("Zażółć gęślą jaźń „cytat” – koniec…", transliterate_polish=True)
    assert planned.text == 'Zazolc gesla jazn "cytat" - koniec...'
    assert planned.encoding == "gsm7"
    parts = encoding.split("€" * 100, "gsm7")
    assert [encoding.gsm7_length(p) for p in parts] == [152, 48]
    assert encoding.plan("x" * 2000).too_long


@pytest.mark.parametrize("number", ["601 234 567", "+48 601-234-567", "0048601234567", "(+48) 601234567"])
def test_numbers_in_any_notation(number: str) -> None:
    assert gateways.e164(number) == NUMBER


@pytest.mark.parametrize("number", ["", "123", "abc", "+48 22 123 45 67x", "1" * 30])
def test_invalid_numbers_are_refused(number: str) -> None:
    with pytest.raises(gateways.InvalidNumber):
        gateways.e164(number)


@pytest.fixture
def sms_root(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "sms"


@pytest.fixture
def office(post: Post) -> SmsSender:
    add_contact(actor=None, client=post.client, kind="phone", value="601 234 567")
    return SmsSender.objects.create(organisation=post.centre, name="LodzCKM", number="+48500100200")


def _drop(root: Path, name: str, text: str, sender: str = NUMBER) -> None:
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(json.dumps({"from": sender, "to": "+48500100200", "text": text}), "utf-8")


def test_the_file_gateway_writes_the_message_and_its_report(sms_root: Path) -> None:
    gateway = gateways.FileGateway()
    [(_message, result)] = list(
        gateway.send([gateways.Outgoing("ref-1", NUMBER, "ż" * 80, "LodzCKM", encoding="ucs2")])
    )
    assert isinstance(result, gateways.Submitted)
    assert result.segments == 2
    [written] = list((sms_root / "outbox").glob("*.json"))
    data = json.loads(written.read_text("utf-8"))
    assert (data["to"], data["from"], data["segments"], data["reference"]) == (NUMBER, "LodzCKM", 2, "ref-1")
    received = gateway.receive()
    assert [r.provider_id for r in received.reports] == result.provider_ids
    assert gateway.receive().reports == []  # each report is taken once


def test_stop_withdraws_the_sms_consent_and_asks_for_a_confirmation(
    post: Post, office: SmsSender, sms_root: Path
) -> None:
    _drop(sms_root, "a.json", "STOP")
    counts = inbound.process(gateways.FileGateway().receive())
    assert counts["opted_out"] == 1
    consent = ClientConsent.objects.get(client=post.client, topic=ClientConsent.Topic.SMS)
    assert consent.granted is False
    assert OutboxEvent.objects.filter(topic="sms.opted_out").exists()
    assert Interaction.objects.get(channel="sms").client == post.client


def test_a_case_number_from_its_own_number_asks_for_the_status_and_from_another_reveals_nothing(
    post: Post, office: SmsSender, sms_root: Path
) -> None:
    _drop(sms_root, "a.json", post.case.number)
    _drop(sms_root, "b.json", post.case.number, sender="+48609999888")
    counts = inbound.process(gateways.FileGateway().receive())
    assert counts == {"reports": 0, "rejected": 0, "status": 1, "contact": 1}
    [asked] = OutboxEvent.objects.filter(topic="sms.status_requested")
    assert asked.payload["case_id"] == post.case.pk


def test_a_reply_naming_its_case_goes_onto_the_case_and_resumes_it(
    post: Post, office: SmsSender, sms_root: Path
) -> None:
    assert post.case.status == Status.WAITING_CLIENT
    _drop(sms_root, "a.json", f"{post.case.number} zdjęcie wyślę mailem, dziura ma 20 cm")
    assert inbound.process(gateways.FileGateway().receive())["case"] == 1
    post.case.refresh_from_db()
    assert post.case.status == Status.IN_PROGRESS
    assert post.case.notes.filter(body__contains="dziura ma 20 cm").exists()


def test_unknown_numbers_bad_files_and_floods(post: Post, office: SmsSender, sms_root: Path) -> None:
    _drop(sms_root, "a.json", "Kiedy wywóz?", sender="+48609999888")
    (sms_root / "inbox" / "broken.json").write_text("{not json", "utf-8")
    (sms_root / "inbox" / "nonumber.txt").write_text("Hello", "utf-8")
    counts = inbound.process(gateways.FileGateway().receive())
    assert (counts["contact"], counts["rejected"]) == (1, 2)
    anonymous = Interaction.objects.get(channel="sms")
    assert (anonymous.client, anonymous.contact_detail) == (None, "+48609999888")
    assert not any((sms_root / "inbox").iterdir())  # nothing left behind, nothing lost: moved to done
    for n in range(inbound.FLOOD_PER_HOUR + 5):
        _drop(sms_root, f"f{n:03}.json", f"spam {n}", sender="+48609999777")
    flood = inbound.process(gateways.FileGateway().receive())
    assert flood["flood"] == 5


def test_a_plain_text_file_may_name_the_office_number(post: Post, office: SmsSender, sms_root: Path) -> None:
    SmsSender.objects.create(organisation=post.other_city, name="Other", number="+48500999999")  # two offices now
    inbox = sms_root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "a.txt").write_text("From: +48 601 234 567\nTo: 500 100 200\nDzień dobry", "utf-8")
    assert inbound.process(gateways.FileGateway().receive())["contact"] == 1
    contact = Interaction.objects.get(channel="sms")
    assert (contact.organisation, contact.question) == (post.centre, "Dzień dobry")

"""Sending through the work queue against real SMTP peers on loopback: a server that is down holds
messages back (deferred, retried, then sent exactly once), a refused address fails for good, a
DKIM key signs what is sent, and staff-edited wordings render safely."""

from __future__ import annotations

import base64
import datetime as dt
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dkim
import pytest
import time_machine
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from okienko.core import mailsink
from okienko.notifications import rendering
from okienko.notifications.models import Notification
from okienko.notifications.queue import NOTIFICATIONS
from tests.cases.conftest import City, open_pothole
from tests.notifications.conftest import received

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _report(city: City, email: str = "jan.kowalski@example.pl") -> Any:
    return open_pothole(city, reporter={"name": "Jan Kowalski", "email": email})


def test_a_server_that_is_down_defers_the_message_then_it_goes_exactly_once(
    city: City, smtp_settings: Any, tmp_path: Path, workers: Callable[[], int]
) -> None:
    with time_machine.travel(START, tick=False):
        case = _report(city)
        workers()  # nothing listens on the port
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts, notification.deferred) == ("queued", 1, True)
    assert "Connection refused" in notification.status_reason or "Errno" in notification.status_reason
    assert notification.status_label == "odłożona (ponowienie)"
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        assert workers() == 0  # not due yet: the back-off holds it
    controller = mailsink.start("127.0.0.1", smtp_settings.EMAIL_PORT, tmp_path / "mail")
    try:
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            workers()
            workers()
    finally:
        controller.stop()
    assert len(received(mailbox.Maildir(str(tmp_path / "mail"), create=False))) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_an_hour_long_outage_keeps_retrying_and_dead_letters_only_after_the_attempts(
    city: City, smtp_settings: Any, workers: Callable[[], int]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        case = _report(city)
        for _attempt in range(30):
            workers()
            traveller.shift(dt.timedelta(minutes=15))
            if Notification.objects.get(case=case).status != "queued":
                break
        notification = Notification.objects.get(case=case)
    assert notification.status == "failed"
    assert notification.attempts == NOTIFICATIONS.max_attempts()
    assert NOTIFICATIONS.dead_letters().filter(pk=notification.pk).exists()
    assert NOTIFICATIONS.replay() == 1  # an operator puts it back once the server is fixed
    notification.refresh_from_db()
    assert (notification.status, notification.status_reason) == ("queued", "")


class _Refusing:
    """An SMTP server that refuses one mailbox for good and takes every other message."""

    def __init__(self) -> None:
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(envelope.content)
        return "250 Message accepted"


def test_a_refused_address_fails_for_good_and_the_rest_of_the_batch_still_goes(
    city: City, smtp_settings: Any, workers: Callable[[], int]
) -> None:
    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        refused = _report(city, "nobody@example.pl")
        fine = _report(city, "anna@example.pl")
        workers()
    finally:
        controller.stop()
    bad = Notification.objects.get(case=refused)
    assert bad.status == "failed"
    assert "550" in bad.status_reason
    assert Notification.objects.get(case=fine).status == "sent"
    assert len(handler.accepted) == 1


def test_a_configured_dkim_key_signs_every_message(
    city: City, sink: mailbox.Maildir, settings: Any, tmp_path: Path, workers: Callable[[], int]
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    settings.OKIENKO_DKIM_DOMAIN, settings.OKIENKO_DKIM_SELECTOR = "okienko.example.pl", "mail2026"
    settings.OKIENKO_DKIM_KEY_FILE = str(key_file)
    _report(city)
    workers()
    [key_name] = list(sink.iterkeys())
    raw = sink.get_bytes(key_name)
    assert b"DKIM-Signature:" in raw

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"mail2026._domainkey.okienko.example.pl."
        return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"Dzie", b"Dzi3"), dnsfunc=dns)  # a changed body breaks it


@pytest.mark.parametrize(
    "source",
    [
        "{% include 'notifications/email/layout.html' %}",
        "{% load static %}{% static 'x' %}",
        "{% extends 'desk/base.html' %}",
        "{% if %}unclosed",
    ],
)
def test_an_editor_cannot_reach_beyond_the_offered_variables(source: str) -> None:
    with pytest.raises(rendering.TemplateError):
        rendering.render("x", source, {"name": "Anna"}, language="pl")


def test_typed_markup_is_never_markup_in_the_html_version() -> None:
    rendered = rendering.render(
        "Sprawa {{ case_number }}\r\nBcc: x@example.pl",
        "{{ message }}",
        {"case_number": "A/1", "message": "<script>alert(1)</script> https://example.pl"},
        language="pl",
    )
    assert "\n" not in rendered.subject
    assert "\r" not in rendered.subject
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert '<a href="https://example.pl" rel="nofollow">' in rendered.html


def test_a_message_carries_the_cases_files(city: City, sink: mailbox.Maildir, workers: Callable[[], int]) -> None:
    from okienko.cases import actions
    from okienko.notifications.models import Event
    from okienko.notifications.service import Message, Recipient, notify

    case = _report(city)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    photo = actions.add_attachment(actor=city.consultant, case=case, name="po naprawie.png", data=png, public=True)
    workers()
    notify(
        Message(
            event=Event.CASE_MESSAGE,
            organisation=case.organisation,
            context={"message": "Zdjęcie po naprawie w załączniku.", "case_number": case.number},
            key="with-a-file",
            case=case,
            attachments=[photo],
            thread_case_uuid=case.uuid,
        ),
        [Recipient(email="jan.kowalski@example.pl")],
    )
    workers()
    message = next(m for m in received(sink) if "Wiadomość w sprawie" in str(m["Subject"]))
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "po naprawie.png"
    assert part.get_content() == png


def test_a_delivery_failure_report_marks_the_message_bounced(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    from okienko.channels.email.pipeline import ingest
    from okienko.channels.models import Mailbox

    case = _report(city, "nobody.there@example.pl")
    workers()
    notification = Notification.objects.get(case=case)
    assert notification.status == "sent"
    box = Mailbox.objects.create(organisation=city.centre, address="kontakt@lodz.okienko.example.pl", name="CKM")
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.pl>\r\n"
        "To: kontakt@lodz.okienko.example.pl\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.pl>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.pl\r\n\r\n"
        "Final-Recipient: rfc822; nobody.there@example.pl\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {notification.message_id}\r\nTo: nobody.there@example.pl\r\n"
        "--B--\r\n"
    ).encode()
    ingest(box, dsn)
    workers()
    notification.refresh_from_db()
    assert notification.status == "bounced"
    assert "nobody.there@example.pl" in notification.status_reason
    assert case.events.filter(kind="message", summary__contains="niedoręczona").exists()

"""The SMTP/LMTP listener over real SMTP on a loopback port (aiosmtpd and smtplib)."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from okienko.channels.email import listener, pipeline
from okienko.channels.models import InboundMessage
from tests.channels.conftest import CLIENT_EMAIL, Post, message

pytestmark = pytest.mark.django_db(transaction=True)
TO = "kontakt@lodz.okienko.localhost"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_port(post: Post) -> Iterator[int]:
    port = free_port()
    controller = listener.start("127.0.0.1", port, limiter=listener.RateLimiter(limit=3), data_size_limit=200_000)
    yield port
    controller.stop()


def test_message_for_a_mailbox_is_received(smtp_port: int, post: Post) -> None:
    """A message sent with smtplib lands in the pipeline as the client's contact."""
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        refused = smtp.sendmail(CLIENT_EMAIL, [TO.upper()], message())
    assert refused == {}
    inbound = InboundMessage.objects.get()
    assert inbound.mailbox == post.mailbox
    assert inbound.status == InboundMessage.Status.LINKED
    assert inbound.client == post.client


def test_unknown_recipient_is_refused_with_550(smtp_port: int) -> None:
    with (
        smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        smtp.sendmail(CLIENT_EMAIL, ["nobody@lodz.okienko.localhost"], message())
    assert refused.value.recipients["nobody@lodz.okienko.localhost"][0] == 550
    assert InboundMessage.objects.count() == 0


def test_inactive_mailbox_is_refused(smtp_port: int, post: Post) -> None:
    post.mailbox.active = False
    post.mailbox.save()
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.sendmail(CLIENT_EMAIL, [TO], message())


def test_too_large_message_is_refused_with_552(smtp_port: int) -> None:
    with (
        smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPResponseException) as refused,
    ):
        smtp.sendmail(CLIENT_EMAIL, [TO], message(body="x" * 300_000))
    assert refused.value.smtp_code == 552
    assert InboundMessage.objects.count() == 0


def test_sender_over_the_rate_is_told_to_retry(smtp_port: int) -> None:
    """The fourth message within the minute gets 451; the sending server keeps it."""
    codes = []
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        for i in range(4):
            try:
                smtp.sendmail(CLIENT_EMAIL, [TO], message(message_id=f"<r-{i}@x>"))
                codes.append(250)
            except smtplib.SMTPDataError as exc:
                codes.append(exc.smtp_code)
    assert codes == [250, 250, 250, 451]
    assert InboundMessage.objects.count() == 3


def test_storage_failure_answers_451(smtp_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the message cannot be stored the sender is told to retry (nothing is lost)."""

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("database down")

    monkeypatch.setattr(pipeline, "ingest", down)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp, pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail(CLIENT_EMAIL, [TO], message())
    assert failed.value.smtp_code == 451


def test_lmtp(post: Post) -> None:
    """The same pipeline behind LMTP."""
    port = free_port()
    controller = listener.start("127.0.0.1", port, lmtp=True)
    try:
        with smtplib.LMTP("127.0.0.1", port, timeout=10) as lmtp:
            assert lmtp.sendmail("x@elsewhere.example", [TO], message(sender="x@elsewhere.example")) == {}
    finally:
        controller.stop()
    assert InboundMessage.objects.get().status == InboundMessage.Status.TRIAGE


def test_lmtp_answers_once_per_recipient(post: Post) -> None:
    """RFC 2033: after DATA, one reply for each accepted recipient (two mailboxes here)."""
    port = free_port()
    controller = listener.start("127.0.0.1", port, lmtp=True)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            stream = conn.makefile("rwb")

            def say(line: bytes) -> None:
                stream.write(line + b"\r\n")
                stream.flush()

            def reply() -> bytes:
                lines = []
                while True:
                    line = stream.readline()
                    lines.append(line)
                    if line[3:4] != b"-":
                        return b"".join(lines)

            reply()  # greeting
            say(b"LHLO test")
            reply()
            say(b"MAIL FROM:<x@elsewhere.example>")
            assert reply().startswith(b"250")
            for to in (TO, post.other_mailbox.address):
                say(f"RCPT TO:<{to}>".encode())
                assert reply().startswith(b"250")
            say(b"DATA")
            assert reply().startswith(b"354")
            stream.write(message(sender="x@elsewhere.example").replace(b"\r\n.", b"\r\n..") + b".\r\n")
            stream.flush()
            assert reply().startswith(b"250")
            assert reply().startswith(b"250")
            say(b"QUIT")
    finally:
        controller.stop()
    assert InboundMessage.objects.count() == 2


def test_rate_limiter_window() -> None:
    limiter = listener.RateLimiter(limit=2, window=60)
    assert limiter.allow("a")
    assert limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")


def test_module_starts_as_a_program() -> None:
    """``python -m okienko.channels.email.listener`` imports before Django is set up."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "okienko.channels.email.listener", "--help"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"--lmtp" in done.stdout

"""A city with staff (the cases tests' fixture), a real local SMTP server, and a helper that runs
what the workers do after a commit: deliver the outbox's events, then send the queued messages."""

from __future__ import annotations

import email
import email.policy
import mailbox
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from okienko.core import events, mailsink
from okienko.notifications import queue
from tests.cases.conftest import City, city, frozen, open_pothole  # noqa: F401  (fixtures shared)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp_settings(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.SITE_URL = "https://okienko.example.pl"
    settings.OKIENKO_MAIL_DOMAIN = "okienko.example.pl"
    return settings


@pytest.fixture
def sink(smtp_settings: Any, tmp_path: Path) -> Iterator[mailbox.Maildir]:
    """The product's own local mail sink (aiosmtpd) on a free loopback port, into a Maildir."""
    controller = mailsink.start("127.0.0.1", smtp_settings.EMAIL_PORT, tmp_path / "mail")
    try:
        yield mailbox.Maildir(str(tmp_path / "mail"), create=False)
    finally:
        controller.stop()


def received(maildir: mailbox.Maildir) -> list[email.message.EmailMessage]:
    return sorted(
        (email.message_from_bytes(maildir.get_bytes(key), policy=email.policy.default) for key in maildir.iterkeys()),
        key=lambda m: str(m["Date"]),
    )


def run_workers() -> int:
    """Deliver every due outbox event to its subscribers, then send every due notification."""
    for _round in range(50):
        if not events.deliver_due():
            break
    return queue.drain(rounds=50)


@pytest.fixture
def workers() -> Callable[[], int]:
    return run_workers

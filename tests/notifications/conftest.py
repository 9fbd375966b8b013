"""A city with staff (the cases tests' fixture), a real local SMTP server, and a helper that runs
what the workers do after a commit: deliver the outbox's events, then send the queued messages."""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Callable

import pytest

from okienko.core import events
from okienko.notifications import queue
from tests.cases.conftest import City, city, frozen, open_pothole  # noqa: F401  (fixtures shared)


@pytest.fixture
def sink(mail_sink: mailbox.Maildir) -> mailbox.Maildir:
    return mail_sink


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

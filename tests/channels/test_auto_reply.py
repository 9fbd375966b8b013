"""End to end with the notifications app: a new message gets one receipt; automatic mail, a
forged sender and a loop of auto-responders get none."""

from __future__ import annotations

import pytest

from okienko.channels.email.pipeline import ingest
from okienko.core.events import deliver_due
from okienko.notifications.models import Event, Notification
from tests.channels.conftest import Post, load, message

pytestmark = pytest.mark.django_db


def receipts(to: str) -> int:
    return Notification.objects.filter(event=Event.MESSAGE_RECEIVED, recipient__iexact=to).count()


def test_new_message_gets_one_receipt(post: Post) -> None:
    ingest(post.mailbox, message(sender="ewa@elsewhere.example", message_id="<r-1@x>"))
    deliver_due()
    assert receipts("ewa@elsewhere.example") == 1


def test_automatic_mail_and_forgeries_get_none(post: Post) -> None:
    for name in ("auto_reply.eml", "list_mail.eml", "dsn_bounce.eml", "spam.eml", "forged_from.eml"):
        ingest(post.mailbox, load(name))
    deliver_due()
    assert Notification.objects.filter(event=Event.MESSAGE_RECEIVED).count() == 0


def test_two_auto_responders_stop(post: Post) -> None:
    """A robot answering every receipt without marking its mail as automatic: one receipt in the
    hour, and past the sender limit its mail is quarantined."""
    post.mailbox.sender_limit_per_hour = 5
    post.mailbox.save()
    for i in range(8):
        ingest(post.mailbox, message(sender="robot@loop.example", message_id=f"<loop-{i}@x>"))
        deliver_due()
    assert receipts("robot@loop.example") == 1

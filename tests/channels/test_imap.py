"""The IMAP poller against a real dovecot on a loopback port (``tests/channels/dovecot.py``)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from imapclient import IMAPClient

from okienko.channels.email import imap
from okienko.channels.models import InboundMessage, Mailbox
from okienko.core.models import AuditRecord
from tests.channels import dovecot
from tests.channels.conftest import Post, message

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not dovecot.available(), reason="dovecot-imapd is not installed (make services installs it)"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[dovecot.Dovecot]:
    import os

    try:
        running = dovecot.start()
    except RuntimeError as exc:
        if os.getuid() == 0:  # CI: the server must start
            raise
        pytest.skip(f"dovecot would not start as an ordinary user here: {exc}")
    yield running
    dovecot.cleanup(running)


@pytest.fixture
def folder(server: dovecot.Dovecot, request: pytest.FixtureRequest) -> str:
    """A fresh folder per test, so the tests share one server without seeing each other's mail."""
    name = f"T-{request.node.name[:40]}".replace("[", "-").replace("]", "")
    with client(server) as imap_client:
        if imap_client.folder_exists(name):
            imap_client.delete_folder(name)
        imap_client.create_folder(name)
    return name


def client(server: dovecot.Dovecot) -> IMAPClient:
    connection = IMAPClient("127.0.0.1", server.port, ssl=False, timeout=10)
    connection.login(dovecot.USER, dovecot.PASSWORD)
    return connection


def deliver(server: dovecot.Dovecot, folder: str, *raws: bytes) -> None:
    with client(server) as imap_client:
        for raw in raws:
            imap_client.append(folder, raw)


@pytest.fixture
def mailbox(post: Post, server: dovecot.Dovecot, folder: str) -> Mailbox:
    box = post.mailbox
    box.kind = Mailbox.Kind.IMAP
    box.imap_host, box.imap_port, box.imap_ssl = "127.0.0.1", server.port, False
    box.imap_username = dovecot.USER
    box.set_imap_password(dovecot.PASSWORD)
    box.imap_folder = folder
    box.save()
    return box


def test_each_message_is_taken_exactly_once(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    """Three messages, two rounds, one more message: four stored, none twice."""
    deliver(server, folder, *(message(message_id=f"<once-{i}@x>", body=f"text {i}") for i in range(3)))
    first = imap.poll_mailbox(mailbox)
    assert (first.fetched, first.error) == (3, "")
    assert imap.poll_mailbox(mailbox).fetched == 0
    deliver(server, folder, message(message_id="<once-3@x>"))
    assert imap.poll_mailbox(mailbox).fetched == 1
    assert InboundMessage.objects.count() == 4
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 4
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None


def test_processed_messages_are_flagged_seen(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    deliver(server, folder, message())
    imap.poll_mailbox(mailbox)
    with client(server) as imap_client:
        imap_client.select_folder(folder)
        flags = imap_client.get_flags(imap_client.search(["ALL"]))
    assert all(b"\\Seen" in f for f in flags.values())


def test_processed_messages_are_moved(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    mailbox.imap_processed_folder = f"{folder}-done"
    mailbox.save()
    deliver(server, folder, message(message_id="<m-a@x>"), message(message_id="<m-b@x>"))
    assert imap.poll_mailbox(mailbox).fetched == 2
    with client(server) as imap_client:
        assert imap_client.select_folder(folder)[b"EXISTS"] == 0
        assert imap_client.select_folder(f"{folder}-done")[b"EXISTS"] == 2
        imap_client.delete_folder(f"{folder}-done")


def test_crash_after_storing_refetches_one_message_without_duplicate(
    server: dovecot.Dovecot, folder: str, mailbox: Mailbox
) -> None:
    """The UID was not remembered (a crash right after storing): the message comes again and the
    duplicate check returns the stored one."""
    deliver(server, folder, message(message_id="<c-1@x>"), message(message_id="<c-2@x>"))
    imap.poll_mailbox(mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=1)
    mailbox.refresh_from_db()
    assert imap.poll_mailbox(mailbox).fetched == 1
    assert InboundMessage.objects.count() == 2


def test_uidvalidity_change_starts_again_without_duplicates(
    server: dovecot.Dovecot, folder: str, mailbox: Mailbox
) -> None:
    """The folder was recreated (new UIDVALIDITY, UIDs from 1 again): new mail is taken, mail
    already stored is not stored again, and the change is audited."""
    deliver(server, folder, message(message_id="<v-1@x>"))
    imap.poll_mailbox(mailbox)
    with client(server) as imap_client:
        imap_client.delete_folder(folder)
        imap_client.create_folder(folder)
    deliver(server, folder, message(message_id="<v-1@x>"), message(message_id="<v-2@x>"))
    mailbox.refresh_from_db()
    old_validity = mailbox.imap_uidvalidity
    result = imap.poll_mailbox(mailbox)
    assert result.fetched == 2
    assert InboundMessage.objects.count() == 2
    mailbox.refresh_from_db()
    assert mailbox.imap_uidvalidity != old_validity
    assert mailbox.imap_last_uid == 2
    assert AuditRecord.objects.filter(action="email.mailbox_uidvalidity_changed").count() == 1


def test_oversized_message_is_rejected_without_downloading_it(
    server: dovecot.Dovecot, folder: str, mailbox: Mailbox
) -> None:
    mailbox.max_message_bytes = 2000
    mailbox.save()
    deliver(server, folder, message(message_id="<big@x>", body="x" * 5000))
    imap.poll_mailbox(mailbox)
    stored = InboundMessage.objects.get()
    assert stored.status == InboundMessage.Status.REJECTED
    assert stored.size > 5000
    assert stored.file.size < 1000


def test_server_down_is_recorded_and_retried(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    """Nothing listens: the error is kept on the mailbox, nothing is lost, the next round works."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    deliver(server, folder, message(message_id="<d-1@x>"))
    mailbox.imap_port = dead_port
    mailbox.save()
    down = imap.poll_mailbox(mailbox, timeout=2)
    assert down.error.startswith("ConnectionRefusedError")
    mailbox.refresh_from_db()
    assert "ConnectionRefusedError" in mailbox.last_error
    assert mailbox.imap_lease_until is None
    mailbox.imap_port = server.port
    mailbox.save()
    assert imap.poll_mailbox(mailbox).fetched == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_wrong_password_is_recorded(server: dovecot.Dovecot, mailbox: Mailbox) -> None:
    mailbox.set_imap_password("wrong")
    mailbox.save()
    result = imap.poll_mailbox(mailbox, timeout=5)
    assert result.error
    assert InboundMessage.objects.count() == 0


def test_a_running_poll_holds_the_mailbox(mailbox: Mailbox) -> None:
    """A second poller does not take a mailbox another one is working on."""
    assert imap._take_lease(mailbox)
    assert imap.poll_mailbox(mailbox).error == "busy"


def test_idle_wakes_on_new_mail(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    """With IDLE the poller waits for the server and takes what arrives meanwhile."""
    import threading

    timer = threading.Timer(0.5, deliver, args=(server, folder, message(message_id="<idle@x>")))
    timer.start()
    result = imap.poll_mailbox(mailbox, idle=10)
    timer.join()
    assert result.fetched == 1


def test_celery_task_polls_every_imap_mailbox(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    from okienko.channels.tasks import poll_mailboxes

    deliver(server, folder, message(message_id="<task@x>"))
    assert poll_mailboxes() == [{"mailbox": mailbox.address, "fetched": 1, "error": ""}]


def test_poll_mail_command(server: dovecot.Dovecot, folder: str, mailbox: Mailbox) -> None:
    import io

    from django.core.management import call_command

    deliver(server, folder, message(message_id="<cmd@x>"))
    out = io.StringIO()
    call_command("poll_mail", stdout=out)
    assert out.getvalue() == f"{mailbox.address}: 1 new\n"


def test_failing_mailbox_is_an_alert_for_its_administrators(mailbox: Mailbox, post: Post) -> None:
    """An outage is seen on the start page of the administrators, not only logged."""
    from okienko.accounts.models import User
    from okienko.core.navigation import alerts_for

    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="ConnectionRefusedError: [Errno 111]")
    root = User.objects.create_superuser("root", "root@example.pl", "pass-1234-word")
    (alert,) = [a for a in alerts_for(root) if mailbox.address in a.text]
    assert alert.level == "danger"
    assert alert.url.endswith(f"/channel_adapters/mailbox/{mailbox.pk}/change/")
    assert [a for a in alerts_for(post.consultant) if mailbox.address in a.text] == []
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="")
    assert [a for a in alerts_for(root) if mailbox.address in a.text] == []

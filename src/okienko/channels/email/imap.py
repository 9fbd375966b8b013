"""Fetching mail from IMAP mailboxes, each message exactly once (ADR 0052).

Per mailbox: log in, select the folder, compare its UIDVALIDITY with the one remembered (a new
value means the UIDs were reassigned: start again from UID 1; messages already stored are
recognised by the pipeline's duplicate check), fetch every UID above the last one taken, hand
each to ``pipeline.ingest`` and remember its UID at once, then move it to the processed folder
(or flag it ``\\Seen``). A crash between storing a message and remembering its UID makes the next
round fetch that one message again, and the duplicate check returns the stored row: no message
is lost or stored twice.

A server that is down, refuses the login or times out leaves ``Mailbox.last_error`` and is tried
again the next round (the Celery task ``okienko.channels.poll_mailboxes``, every 30 s). Where the
server offers IDLE, ``poll_mailbox(idle=…)`` waits for new mail (at most ``IDLE_SECONDS`` at a
time) before it returns: the ``poll_mail --watch`` command for a dedicated process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import ssl
from dataclasses import dataclass, field

from django.db.models import Q
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from okienko.channels.email.pipeline import ingest
from okienko.channels.models import Mailbox
from okienko.core import audit, clock

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for connecting and for every command
IDLE_SECONDS = 60
LEASE = dt.timedelta(minutes=5)
BATCH = 200  # messages taken per mailbox and round; the rest come in the next round
SEEN = b"\\Seen"


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    error: str = ""
    new_uids: list[int] = field(default_factory=list)


def connect(mailbox: Mailbox, timeout: float = TIMEOUT) -> IMAPClient:
    context = ssl.create_default_context() if mailbox.imap_ssl else None
    client = IMAPClient(
        mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_ssl, ssl_context=context, timeout=timeout
    )
    client.login(mailbox.imap_username, mailbox.imap_password())
    return client


def _take_lease(mailbox: Mailbox) -> bool:
    now = clock.now()
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(Q(imap_lease_until__isnull=True) | Q(imap_lease_until__lt=now))
        .update(imap_lease_until=now + LEASE)
    )


def _release(mailbox: Mailbox, *, error: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_lease_until=None, last_polled_at=clock.now(), last_error=error[:2000]
    )
    mailbox.last_error = error[:2000]


def poll_mailbox(mailbox: Mailbox, *, timeout: float = TIMEOUT, idle: float = 0) -> PollResult:
    """One round for one mailbox (see the module docstring); never raises for a server problem."""
    result = PollResult(mailbox.address)
    if not _take_lease(mailbox):
        result.error = "busy"
        return result
    client: IMAPClient | None = None
    try:
        client = connect(mailbox, timeout)
        _fetch_new(client, mailbox, result)
        if idle and client.has_capability("IDLE") and _wait_idle(client, idle):
            _fetch_new(client, mailbox, result)
    except (TimeoutError, OSError, IMAPClientError, ssl.SSLError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        log.warning("IMAP mailbox %s: %s", mailbox.address, result.error)
    finally:
        if client is not None:
            _logout(client)
        _release(mailbox, error=result.error)
    return result


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(OSError, IMAPClientError):
        client.logout()


def _fetch_new(client: IMAPClient, mailbox: Mailbox, result: PollResult) -> None:
    selected = client.select_folder(mailbox.imap_folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    if mailbox.imap_uidvalidity != uidvalidity:
        _reset(mailbox, uidvalidity)
    # "n:*" always matches the highest UID, even one below n: keep only the new ones.
    found = client.search(["UID", f"{mailbox.imap_last_uid + 1}:*"])
    uids = sorted(uid for uid in found if uid > mailbox.imap_last_uid)
    for uid in uids[:BATCH]:
        _take(client, mailbox, uid)
        result.fetched += 1
        result.new_uids.append(uid)


def _reset(mailbox: Mailbox, uidvalidity: int) -> None:
    """The folder's UIDs were reassigned: take it from the start again."""
    previous = mailbox.imap_uidvalidity
    mailbox.imap_uidvalidity, mailbox.imap_last_uid = uidvalidity, 0
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=uidvalidity, imap_last_uid=0)
    if previous is not None:
        audit.record(
            "email.mailbox_uidvalidity_changed",
            actor=None,
            obj=mailbox,
            organisation_id=mailbox.organisation_id,
            data={"previous": previous, "current": uidvalidity},
        )


def _take(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    """Fetch one message (only its headers when it is too large), store it, remember its UID,
    then move or flag it on the server."""
    size = int(client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE", 0))
    if size > mailbox.max_message_bytes:
        data = client.fetch([uid], ["BODY.PEEK[HEADER]"]).get(uid, {})
        raw = bytes(data.get(b"BODY[HEADER]", b""))
    else:
        data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        raw = bytes(data.get(b"BODY[]", b""))
    if not raw:  # expunged meanwhile
        _remember(mailbox, uid)
        return
    ingest(mailbox, raw, transport="imap", size=size or None)
    _remember(mailbox, uid)
    _mark_processed(client, mailbox, uid)


def _remember(mailbox: Mailbox, uid: int) -> None:
    mailbox.imap_last_uid = uid
    Mailbox.objects.filter(pk=mailbox.pk, imap_last_uid__lt=uid).update(imap_last_uid=uid)


def _mark_processed(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    client.add_flags([uid], [SEEN])
    folder = mailbox.imap_processed_folder
    if not folder:
        return
    if not client.folder_exists(folder):
        client.create_folder(folder)
    if client.has_capability("MOVE"):
        client.move([uid], folder)
    else:
        client.copy([uid], folder)
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:
            client.expunge()


def _wait_idle(client: IMAPClient, seconds: float) -> bool:
    """Wait up to ``seconds`` for the server to announce new mail."""
    client.idle()
    try:
        responses = client.idle_check(timeout=seconds)
    finally:
        client.idle_done()
    return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def poll_all(*, timeout: float = TIMEOUT) -> list[PollResult]:
    """One round over every active IMAP mailbox; one mailbox's trouble never stops the others."""
    results = []
    for mailbox in Mailbox.objects.polled().select_related("organisation").order_by("pk"):
        if not mailbox.imap_host:
            continue
        results.append(poll_mailbox(mailbox, timeout=timeout))
    return results

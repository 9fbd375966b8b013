"""Mail delivered straight to Okienko: an SMTP (or LMTP) server for installations whose mail server
can forward to it (ADR 0052). ``okienko runall`` starts it on 127.0.0.1:2525; alone::

    python -m okienko.channels.email.listener --host 127.0.0.1 --port 2525 [--lmtp]

- ``RCPT TO`` an address that is no active mailbox: ``550`` (nothing is accepted for nobody);
- a message larger than the largest mailbox limit: ``552`` while it is being sent;
- more than ``SENDER_LIMIT`` messages a minute from one envelope sender or one peer address:
  ``451`` (the sending server retries later, nothing is lost);
- each accepted message goes through ``pipeline.ingest`` in a worker thread; when that fails (the
  database is down) the answer is ``451`` and the sending server keeps the message for a retry.

Listen on loopback or a private network only; it does no authentication of its own: the mail
server in front does (and writes the ``Authentication-Results`` the mailbox may trust).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from collections import defaultdict, deque
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

# Models are imported inside the functions: run as ``python -m``, this module is imported before
# Django is set up (``main`` does that).

log = logging.getLogger(__name__)

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 2525
SENDER_LIMIT = 60  # messages per minute from one envelope sender, and from one peer
WINDOW = 60.0
MAX_RECIPIENTS = 50


class RateLimiter:
    """Sliding one-minute windows per key (envelope sender, peer address)."""

    def __init__(self, limit: int = SENDER_LIMIT, window: float = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                seen = self._seen[key]
                while seen and now - seen[0] > self.window:
                    seen.popleft()
                if len(seen) >= self.limit:
                    return False
            for key in keys:
                self._seen[key].append(now)
            if len(self._seen) > 10_000:  # forget idle keys now and then
                for key in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window]:
                    del self._seen[key]
        return True


def _active_mailbox(address: str) -> int | None:
    from okienko.channels.models import Mailbox

    close_old_connections()
    try:
        return Mailbox.objects.active().filter(address=address.strip().lower()).values_list("pk", flat=True).first()
    finally:
        close_old_connections()


def _ingest(mailbox_ids: list[int], raw: bytes) -> None:
    from okienko.channels.email.pipeline import ingest
    from okienko.channels.models import Mailbox

    close_old_connections()
    try:
        for mailbox in Mailbox.objects.filter(pk__in=mailbox_ids).select_related("organisation"):
            ingest(mailbox, raw, transport="smtp")
    finally:
        close_old_connections()


class InboundHandler:
    """aiosmtpd handler: accept mail for active mailboxes and hand it to the pipeline."""

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter or RateLimiter()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        mailbox = await sync_to_async(_active_mailbox, thread_sensitive=False)(address)
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        mailboxes: list[int] = getattr(envelope, "mailbox_ids", [])
        mailboxes.append(mailbox)
        envelope.mailbox_ids = mailboxes  # type: ignore[attr-defined]
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        status = await self._deliver(session, envelope)
        if isinstance(server, LMTP):  # RFC 2033: one reply per accepted recipient
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status

    async def _deliver(self, session: Session, envelope: Envelope) -> str:
        peer = str(session.peer[0]) if session.peer else "?"
        sender = (envelope.mail_from or "").lower()
        if not self.limiter.allow(f"peer:{peer}", f"from:{sender}"):
            log.warning("inbound mail rate limit", extra={"peer": peer})
            return "451 4.7.1 Too many messages, try again later"
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogateescape")
        mailboxes = sorted(set(getattr(envelope, "mailbox_ids", [])))
        try:
            await sync_to_async(_ingest, thread_sensitive=False)(mailboxes, raw)
        except Exception:
            log.exception("inbound mail could not be stored; the sender will retry")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 2.0.0 Message accepted"


class InboundController(Controller):
    """aiosmtpd's controller speaking SMTP or, with ``lmtp``, LMTP."""

    def __init__(self, handler: Any, *, lmtp: bool = False, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        if self.lmtp:
            return LMTP(self.handler, **self.SMTP_kwargs)
        server: SMTP = super().factory()  # type: ignore[no-untyped-call]
        return server


def size_limit() -> int:
    """The largest message any active mailbox accepts (plus room for the headers a relay adds);
    larger messages are refused with 552 while they are being sent."""
    from okienko.channels.models import DEFAULT_MAX_MESSAGE_BYTES, Mailbox

    close_old_connections()
    try:
        sizes = list(Mailbox.objects.active().values_list("max_message_bytes", flat=True))
    finally:
        close_old_connections()
    return max(sizes or [DEFAULT_MAX_MESSAGE_BYTES]) + 64 * 1024


def start(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    lmtp: bool = False,
    limiter: RateLimiter | None = None,
    data_size_limit: int | None = None,
) -> InboundController:
    """Start the listener in a background thread; ``controller.stop()`` ends it."""
    controller = InboundController(
        InboundHandler(limiter),
        lmtp=lmtp,
        hostname=host,
        port=port,
        data_size_limit=data_size_limit or size_limit(),
        ident="Okienko",
        timeout=120,
    )
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    import django

    parser = argparse.ArgumentParser(description="Receive e-mail for Okienko's mailboxes over SMTP or LMTP.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--lmtp", action="store_true", help="Speak LMTP instead of SMTP.")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    django.setup()
    from okienko.channels.models import Mailbox

    logging.basicConfig(level=logging.INFO)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    controller = start(options.host, options.port, lmtp=options.lmtp)
    addresses = ", ".join(Mailbox.objects.active().values_list("address", flat=True)) or "none yet"
    print(  # noqa: T201
        f"inbound e-mail on {options.host}:{options.port} ({'LMTP' if options.lmtp else 'SMTP'}) for: {addresses}",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    main()

"""A local SMTP server that keeps every message as a file in a Maildir (``var/mail/`` in the
embedded run), so e-mail the application sends can be read without a real mail server.

``okienko runall`` starts it on ``EMAIL_HOST:EMAIL_PORT`` (127.0.0.1:1025) in the embedded and
dev profiles when nothing else listens there. Run alone::

    python -m okienko.core.mailsink --port 1025 --maildir var/mail

Read the messages with any Maildir reader (``mutt -f var/mail``) or ``python -m mailbox``-style
code; each file in ``var/mail/new/`` is one message as received.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import socket
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class MaildirHandler:
    """aiosmtpd handler: store each message, with its envelope recipients, in a Maildir."""

    def __init__(self, directory: Path | str) -> None:
        self.maildir = mailbox.Maildir(str(directory), create=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else str(content).encode()
        recipients = ", ".join(envelope.rcpt_tos)
        self.maildir.add(f"X-Envelope-To: {recipients}\r\n".encode() + data)
        return "250 Message accepted for delivery"


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on ``host:port`` (so a sink may take it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) != 0


def start(host: str, port: int, directory: Path | str) -> Controller:
    """Start a sink in a background thread; ``controller.stop()`` ends it."""
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink storing messages in a Maildir.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", default="var/mail")
    options = parser.parse_args(argv)
    controller = start(options.host, options.port, options.maildir)
    print(f"mail sink on {options.host}:{options.port}, messages in {options.maildir}", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    main()

"""Fetch mail from the IMAP mailboxes now (``poll_mail``), or keep fetching it (``--watch``):
with one mailbox, waiting on IMAP IDLE where the server offers it; otherwise a round every
``--interval`` seconds. The Celery beat task ``okienko.channels.poll_mailboxes`` does one round
every 30 s in the usual setup; ``--watch`` is for a dedicated process."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.channels.email import imap
from okienko.channels.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the IMAP mailboxes (once, or keep watching with --watch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", help="Only this address.")
        parser.add_argument("--watch", action="store_true", help="Keep fetching (IDLE for a single mailbox).")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between rounds with --watch.")

    def handle(self, *args: Any, **options: Any) -> None:
        boxes = Mailbox.objects.polled().select_related("organisation").order_by("pk")
        if options["mailbox"]:
            boxes = boxes.filter(address=options["mailbox"].strip().lower())
            if not boxes.exists():
                raise CommandError(f"no active IMAP mailbox {options['mailbox']}")
        mailboxes = list(boxes)
        while True:
            started = time.monotonic()
            for mailbox in mailboxes:
                idle = imap.IDLE_SECONDS if options["watch"] and len(mailboxes) == 1 else 0
                result = imap.poll_mailbox(mailbox, idle=idle)
                line = f"{result.mailbox}: {result.fetched} new" + (f" — {result.error}" if result.error else "")
                self.stdout.write(line)
            if not options["watch"]:
                return
            # After an IDLE wait the next round starts at once; after a plain poll it waits.
            time.sleep(max(0.0, options["interval"] - (time.monotonic() - started)))

"""Take the e-form submissions waiting in the drop folder (``var/eforms/inbox/``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.channels.eforms import dropfolder
from okienko.core import context


class Command(BaseCommand):
    help = "Process the e-form submissions dropped into var/eforms/inbox/ (each file once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="Keep checking the folder.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between checks with --watch.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            with context.channel("eform"):
                result = dropfolder.process_inbox()
            if result.taken or not options["watch"]:
                summary = ", ".join(f"{k} {v}" for k, v in result.as_dict().items())
                self.stdout.write(f"e-forms from {dropfolder.inbox()}: {summary}")
            if not options["watch"]:
                return
            time.sleep(options["interval"])

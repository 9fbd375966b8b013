"""Turn queued GeoReport requests into cases: once (default) or as a long-running loop.

okienko open311_intake                 # drain what is queued now, then exit
okienko open311_intake --loop          # keep draining (a dedicated intake worker)
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from okienko.integrations.open311 import queue


class Command(BaseCommand):
    help = "Open cases for queued Open311 requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep draining until stopped")
        parser.add_argument("--idle", type=float, default=0.2, help="seconds to wait when the queue is empty")
        parser.add_argument("--max-seconds", type=float, default=0, help="stop the loop after this long (0: never)")
        parser.add_argument(
            "--nice", type=int, default=0, help="lower this process's CPU priority (intake answers first, cases after)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["nice"] > 0:
            os.nice(options["nice"])
        started = time.monotonic()
        totals = {"opened": 0, "rejected": 0, "failed": 0}
        while True:
            counts = queue.drain(seconds=30)
            for key, value in counts.items():
                totals[key] += value
            limit = options["max_seconds"]
            if not options["loop"] or (limit and time.monotonic() - started > limit):
                break
            if not any(counts.values()):
                time.sleep(options["idle"])
        self.stdout.write(" ".join(f"{k}={v}" for k, v in totals.items()))

"""``okienko telephony``: run the call-control engine (started by ``runall``, so by ``make run``);
``okienko telephony simulate …``: a simulated day through the real ACD (one JSON object)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def engine_address() -> tuple[str, int]:
    url = urlparse(str(getattr(settings, "TELEPHONY_ENGINE_URL", "ws://127.0.0.1:8765")))
    return url.hostname or "127.0.0.1", url.port or 8765


class Command(BaseCommand):
    help = "Run the telephony engine (IVR, queues, agents) or simulate a day of calls."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="run", choices=["run", "simulate"])
        parser.add_argument("rest", nargs="*", help="simulate: --calls-per-hour N --hours H --agents M --aht S …")

    def run_from_argv(self, argv: list[str]) -> None:
        # ``simulate`` takes its own options (engine.cli), passed through untouched.
        if len(argv) > 2 and argv[2] == "simulate":
            from okienko.telephony.engine.cli import simulate_main

            try:
                result = simulate_main(argv[3:])
            except SystemExit as exc:
                raise SystemExit(exc.code) from None
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "simulate":
            from okienko.telephony.engine.cli import simulate_main

            try:
                result = simulate_main(list(options["rest"]))
            except SystemExit as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        from okienko.telephony.server import serve_forever

        logging.basicConfig(level=logging.INFO, format="%(asctime)s telephony %(levelname)s %(message)s")
        host, port = engine_address()
        self.stdout.write(f"Telephony engine on ws://{host}:{port} (the desk reaches it through the web server).")
        asyncio.run(serve_forever(host, port))

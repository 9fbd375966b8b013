"""Start the web server and the background worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the ASGI web server (uvicorn) and a Celery worker with its scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        var = str(settings.VAR_DIR)
        commands = [
            [
                python,
                "-m",
                "uvicorn",
                "okienko.conf.asgi:application",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
        ]
        if not options["no_worker"]:
            commands.append(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "okienko.conf.celery",
                    "worker",
                    "--beat",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--schedule",
                    os.path.join(var, "celerybeat-schedule"),
                ]
            )
        procs = [subprocess.Popen(cmd) for cmd in commands]
        self.stdout.write(
            self.style.SUCCESS(f"Okienko is running at http://{options['host']}:{options['port']}/ — Ctrl-C stops it.")
        )
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT if p is procs[0] else signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
        self.stdout.write("stopped")

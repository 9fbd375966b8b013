"""Start the web server, the background worker and (embedded/dev) a local mail sink together;
Ctrl-C stops them all."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def mail_sink_command(python: str) -> list[str] | None:
    """The local SMTP sink (``core.mailsink``) to start beside the server, or ``None``: only in the
    embedded and dev profiles, for a loopback EMAIL_HOST, and when nothing listens there yet
    (a real mail catcher the developer runs wins)."""
    from okienko.core import mailsink

    profile = getattr(getattr(settings, "ENV", None), "profile", "")
    host, port = str(settings.EMAIL_HOST), int(settings.EMAIL_PORT)
    if profile not in {"embedded", "dev"} or host not in mailsink.LOOPBACK or not mailsink.port_is_free(host, port):
        return None
    maildir = os.path.join(str(settings.VAR_DIR), "mail")
    return [python, "-m", "okienko.core.mailsink", "--host", host, "--port", str(port), "--maildir", maildir]


# The inbound e-mail listener lives in an outer app (channels): named by module path only, so core
# imports nothing above it; an installation without that app simply starts no listener.
INBOUND_MAIL_MODULE = "okienko.channels.email.listener"
INBOUND_MAIL_HOST, INBOUND_MAIL_PORT = "127.0.0.1", 2525


def inbound_mail_command(python: str, host: str = INBOUND_MAIL_HOST, port: int = INBOUND_MAIL_PORT) -> list[str] | None:
    """The SMTP listener receiving mail for the demo (and any configured) mailboxes, or ``None``
    when the module is missing or something already listens there."""
    from okienko.core import mailsink

    if importlib.util.find_spec(INBOUND_MAIL_MODULE) is None or not mailsink.port_is_free(host, port):
        return None
    return [python, "-m", INBOUND_MAIL_MODULE, "--host", host, "--port", str(port)]


# The telephony engine lives in an outer app too: started by module path when it is installed.
TELEPHONY_MODULE = "okienko.telephony.server"


def telephony_command(python: str) -> list[str] | None:
    """The call-control engine process (``okienko telephony``), or ``None`` when the app is
    missing or its port is taken (an engine already runs)."""
    from urllib.parse import urlparse

    from okienko.core import mailsink

    url = urlparse(str(getattr(settings, "TELEPHONY_ENGINE_URL", "ws://127.0.0.1:8765")))
    host, port = url.hostname or "127.0.0.1", url.port or 8765
    if importlib.util.find_spec(TELEPHONY_MODULE) is None or not mailsink.port_is_free(host, port):
        return None
    return [python, "-m", "okienko.manage", "telephony"]


def web_server_command(python: str, host: str, port: str) -> list[str]:
    """uvicorn without its ``Server`` header (no product and version for a scanner) and without its
    own ``X-Forwarded-For`` handling, which would believe any client on loopback: the client address
    is resolved by Django (``core.middleware.client_ip``, ``OKIENKO_TRUSTED_PROXIES``)."""
    return [
        python,
        "-m",
        "uvicorn",
        "okienko.conf.asgi:application",
        "--host",
        host,
        "--port",
        port,
        "--no-access-log",
        "--lifespan",
        "off",
        "--no-server-header",
        "--no-proxy-headers",
    ]


class Command(BaseCommand):
    help = "Run the ASGI web server (uvicorn), a Celery worker with its scheduler and a local mail sink."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-mail", action="store_true", help="Do not start the local mail sink.")
        parser.add_argument(
            "--no-inbound-mail", action="store_true", help="Do not start the inbound e-mail listener (port 2525)."
        )
        parser.add_argument("--inbound-mail-port", type=int, default=INBOUND_MAIL_PORT)
        parser.add_argument("--no-telephony", action="store_true", help="Do not start the telephony engine.")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        var = str(settings.VAR_DIR)
        commands = [web_server_command(python, options["host"], str(options["port"]))]
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
        sink = None if options["no_mail"] else mail_sink_command(python)
        if sink is not None:
            commands.append(sink)
        inbound = (
            None if options["no_inbound_mail"] else inbound_mail_command(python, port=options["inbound_mail_port"])
        )
        if inbound is not None:
            commands.append(inbound)
        telephony = None if options["no_telephony"] else telephony_command(python)
        if telephony is not None:
            commands.append(telephony)
        procs = [subprocess.Popen(cmd) for cmd in commands]
        self.stdout.write(
            self.style.SUCCESS(f"Okienko is running at http://{options['host']}:{options['port']}/ — Ctrl-C stops it.")
        )
        if sink is not None:
            self.stdout.write(f"E-mail goes to {sink[-1]}/new/ (local mail sink on {sink[4]}:{sink[6]}).")
        if inbound is not None:
            self.stdout.write(f"Mail for the mailboxes is received on {inbound[4]}:{inbound[6]} (SMTP).")
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

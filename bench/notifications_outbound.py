"""Outbound e-mail: how fast one worker drains the notification queue into a local SMTP server,
and whether an SMTP outage followed by recovery delivers every queued message exactly once.

    .venv/bin/python bench/notifications_outbound.py --messages 2000
    .venv/bin/python bench/notifications_outbound.py --skip throughput --outage-messages 500 --outage-seconds 600

PostgreSQL (``--database-url``, created and migrated when missing). The SMTP server is aiosmtpd in
a separate process on a free loopback port, counting what it accepts by Message-ID (so a message
delivered twice shows up). Messages are real notifications: rendered from the shipped Polish
templates for cases of a bench city, HTML + plain text, ~3–4 kB each on the wire.

Throughput: N messages queued, then timed from the first claim until the queue is empty.
Outage: N messages queued while nothing listens; the worker keeps trying for ``--outage-seconds``
(real time, back-off as shipped: 10 s doubling, capped at an hour), then the server comes up and
the worker runs until the queue is empty (bounded); the server must have exactly N distinct
Message-IDs and N messages.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_mail"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def sink_process(port: int, ready: Any, stop: Any, results: Any) -> None:
    """An SMTP server that counts messages and distinct Message-IDs (run in its own process)."""
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    class Counter:
        def __init__(self) -> None:
            self.total = 0
            self.ids: set[str] = set()

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content, policy=email.policy.compat32)
            self.total += 1
            self.ids.add(str(message["Message-ID"]).strip())
            return "250 OK"

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put((counter.total, len(counter.ids)))


class Sink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.ready, self.stop_event, self.results = mp.Event(), mp.Event(), mp.Queue()
        self.process = mp.Process(target=sink_process, args=(port, self.ready, self.stop_event, self.results))

    def __enter__(self) -> Sink:
        self.process.start()
        if not self.ready.wait(20):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.counts = self.results.get(timeout=30)
        self.process.join(10)


def setup_django(url: str, port: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-mail"))
    os.environ["OKIENKO_EMAIL_HOST"] = "127.0.0.1"
    os.environ["OKIENKO_EMAIL_PORT"] = str(port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    call_command("migrate", verbosity=0)


def bench_case() -> Any:
    """A case of the bench city to render real messages from (created once)."""
    from okienko.accounts.models import Organisation
    from okienko.cases.actions import open_case
    from okienko.cases.models import Case
    from okienko.catalogue.models import Service, ServiceCategory

    city, _ = Organisation.objects.get_or_create(
        code="bench-mail-city", defaults={"name": "Miasto Testowe", "kind": Organisation.Kind.CITY}
    )
    existing = Case.objects.filter(organisation=city).first()
    if existing is not None:
        return existing
    category, _ = ServiceCategory.objects.get_or_create(organisation=city, code="drogi", name="Drogi")
    service, _ = Service.objects.get_or_create(
        organisation=city,
        code="dziura",
        defaults={"category": category, "public_name": "Dziura w jezdni", "responsible_unit": city, "resolve_due": 5},
    )
    return open_case(
        actor=None,
        organisation=city,
        service=service,
        description="Głęboka dziura na prawym pasie przy przejściu dla pieszych.",
        channel="web",
        reporter={"name": "Jan Kowalski", "email": "jan.kowalski@example.pl"},
        as_client=True,
    )


def queue_messages(count: int, tag: str) -> list[int]:
    """Queue ``count`` real notifications (through the service, as the subscribers do)."""
    from okienko.notifications.models import Event
    from okienko.notifications.service import Message, Recipient, notify
    from okienko.notifications.subscribers import case_context

    case = bench_case()
    context = case_context(case, message="Ekipa drogowa naprawi ubytek w ciągu trzech dni roboczych.")
    ids: list[int] = []
    for n in range(count):
        made = notify(
            Message(
                event=Event.STATUS_CHANGED,
                organisation=case.organisation,
                context=context,
                key=f"bench:{tag}:{n}",
                case=case,
                thread_case_uuid=case.uuid,
            ),
            [Recipient(email=f"mieszkaniec{n}@example.pl", name=f"Mieszkaniec {n}")],
        )
        ids.extend(m.pk for m in made)
    return ids


def throughput(count: int, port: int) -> None:
    from okienko.notifications import queue
    from okienko.notifications.models import Notification

    started = time.perf_counter()
    ids = queue_messages(count, f"t{time.time_ns()}")
    queued_in = time.perf_counter() - started
    with Sink(port) as sink:
        started = time.perf_counter()
        sent = queue.drain(rounds=10_000)
        elapsed = time.perf_counter() - started
    total, distinct = sink.counts
    done = Notification.objects.filter(pk__in=ids, status="sent").count()
    print(f"queued {count} notifications in {queued_in:.1f} s ({count / queued_in:.0f}/s, rendering included)")
    print(
        f"throughput: {sent} handled in {elapsed:.2f} s = {sent / elapsed:.0f} messages/s; "
        f"server got {total} ({distinct} distinct Message-IDs); {done}/{count} marked sent"
    )


def outage(count: int, seconds: float, port: int, limit: float) -> None:
    from okienko.notifications import queue
    from okienko.notifications.models import Notification

    ids = queue_messages(count, f"o{time.time_ns()}")
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < seconds:  # the server is down
        queue.send_due()
        rounds += 1
        time.sleep(1)
    rows = Notification.objects.filter(pk__in=ids)
    print(
        f"outage {seconds:.0f} s: {rounds} worker rounds, {rows.filter(status='queued').count()} still queued "
        f"(max attempts so far {max(r.attempts for r in rows)}), {rows.filter(status='sent').count()} sent"
    )
    with Sink(port) as sink:
        recovered = time.monotonic()
        while rows.filter(status="queued").exists() and time.monotonic() - recovered < limit:
            queue.send_due()
            time.sleep(1)
        took = time.monotonic() - recovered
    total, distinct = sink.counts
    sent = rows.filter(status="sent").count()
    print(
        f"recovery: all sent {took:.0f} s after the server came back; {sent}/{count} marked sent; "
        f"server got {total} messages, {distinct} distinct Message-IDs -> "
        + ("EXACTLY ONCE" if total == distinct == count == sent else "MISMATCH")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--outage-messages", type=int, default=500)
    parser.add_argument("--outage-seconds", type=float, default=600)
    parser.add_argument("--recovery-limit", type=float, default=900, help="give up after this long (seconds)")
    parser.add_argument("--skip", default="", help="comma-separated: throughput, outage")
    options = parser.parse_args()
    skip = set(filter(None, options.skip.split(",")))
    ensure_database(options.database_url)
    port = free_port()
    setup_django(options.database_url, port)
    from okienko.notifications.models import Notification

    Notification.objects.filter(key__startswith="bench:").delete()
    if "throughput" not in skip:
        throughput(options.messages, port)
    if "outage" not in skip:
        outage(options.outage_messages, options.outage_seconds, port, options.recovery_limit)


if __name__ == "__main__":
    main()

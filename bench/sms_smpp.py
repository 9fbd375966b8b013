"""SMS over SMPP: submit_sm/s sustained to an SMSC with every receipt matched, and an SMS queue
drained without loss across an SMSC restart.

    .venv/bin/python bench/sms_smpp.py --messages 2000 --queue 10000

The SMSC is the test suite's faithful fake (``tests/channels/fake_smsc.py``: real SMPP 3.4 PDUs
over loopback) in a separate process, so that it does not share the interpreter with the gateway.
PostgreSQL (``--database-url``), created and migrated when missing.

1. ``submit``: the gateway submits ``--messages`` messages in one session (window as configured,
   ``--window``), then the receipts the SMSC delivered are matched to the submitted ids.
2. ``queue``: ``--queue`` notifications queued for SMS; the worker drains them while the SMSC is
   stopped and started again (``--restart-after`` seconds into the run, down for ``--down``
   seconds); every message must reach the SMSC, each once, and every receipt must be recorded.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_sms"


def smsc_process(port_out: Any, stop: Any, results: Any, port: int) -> None:
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.simplefilter("ignore")
    from tests.channels.fake_smsc import FakeSmsc

    smsc = FakeSmsc(port=port)
    with smsc:
        port_out.put(smsc.port)
        stop.wait()
    results.put([(s["id"], s["to"]) for s in smsc.state.submitted])


class Smsc:
    """The fake SMSC in its own process; ``stop()`` returns what it received."""

    def __init__(self, port: int = 0) -> None:
        self.ports, self.stop_event, self.results = mp.Queue(), mp.Event(), mp.Queue()
        self.process = mp.Process(target=smsc_process, args=(self.ports, self.stop_event, self.results, port))
        self.process.start()
        self.port = int(self.ports.get(timeout=20))

    def stop(self) -> list[tuple[str, str]]:
        self.stop_event.set()
        received: list[tuple[str, str]] = self.results.get(timeout=60)
        self.process.join(10)
        return received


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-sms"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def configure(port: int, window: int) -> None:
    from django.conf import settings

    from tests.channels.fake_smsc import PASSWORD, SYSTEM_ID

    settings.OKIENKO_SMS_GATEWAY = "smpp"
    settings.OKIENKO_SMPP_HOST, settings.OKIENKO_SMPP_PORT = "127.0.0.1", port
    settings.OKIENKO_SMPP_SYSTEM_ID, settings.OKIENKO_SMPP_PASSWORD = SYSTEM_ID, PASSWORD
    settings.OKIENKO_SMPP_WINDOW = window


def submit(count: int, window: int) -> None:
    from okienko.channels.sms import gateways
    from okienko.channels.sms.smpp import SmppGateway
    from okienko.core.models import OutboxEvent

    smsc = Smsc()
    configure(smsc.port, window)
    messages = [
        gateways.Outgoing(f"bench-{n}", f"+48601{n % 1000000:06d}", f"Sprawa LODZ/2026/{n:06d}: przyjeta.", "UMLodz")
        for n in range(count)
    ]
    before = OutboxEvent.objects.filter(topic="sms.report").count()
    started = time.perf_counter()
    results = list(SmppGateway().send(messages))
    elapsed = time.perf_counter() - started
    received = smsc.stop()
    ok = [r for _m, r in results if isinstance(r, gateways.Submitted)]
    reports = OutboxEvent.objects.filter(topic="sms.report").count() - before
    ids = {provider_id for r in ok for provider_id in r.provider_ids}
    print(
        f"submit (window {window}): {len(ok)}/{count} accepted in {elapsed:.2f} s = "
        f"{len(ok) / elapsed:.0f} submit_sm/s; "
        f"SMSC has {len(received)}; receipts matched {reports} "
        f"({'all' if reports == len(ids) == len(received) else 'MISMATCH'})"
    )


def drain_across_restart(count: int, restart_after: float, down: float, window: int, limit: float) -> None:
    import datetime as dt

    from django.utils import timezone

    from okienko.accounts.models import Organisation
    from okienko.channels.sms import inbound
    from okienko.channels.sms.smpp import SmppGateway
    from okienko.core import events
    from okienko.notifications import queue
    from okienko.notifications.models import Notification

    office, _ = Organisation.objects.get_or_create(
        code="bench-sms", defaults={"name": "Miasto SMS", "kind": Organisation.Kind.CITY}
    )
    Notification.objects.filter(key__startswith="bench-sms-").delete()
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"bench-sms-{n}",
                organisation=office,
                event="case_message",
                channel="sms",
                recipient=f"+48601{n:06d}",
                body_text=f"Sprawa LODZ/2026/{n:06d}: zalatwiona.",
                available_at=now,
                created_at=now,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    smsc = Smsc()
    port = smsc.port
    configure(port, window)
    received: list[tuple[str, str]] = []
    started = time.monotonic()
    restarted = False
    pending = Notification.objects.filter(key__startswith="bench-sms-", status="queued")
    while pending.exists() and time.monotonic() - started < limit:
        if not restarted and time.monotonic() - started > restart_after:
            received += smsc.stop()
            print(f"  SMSC stopped after {time.monotonic() - started:.1f} s ({len(received)} received so far)")
            time.sleep(down)
            # The retries wait for their back-off; make them due at once for the bench.
            pending.update(available_at=timezone.now() - dt.timedelta(seconds=1))
            smsc = Smsc(port)
            restarted = True
            print(f"  SMSC started again after {down:.0f} s down")
        queue.drain(rounds=1)
        if time.monotonic() - started > restart_after and restarted:
            pending.filter(available_at__gt=timezone.now()).update(available_at=timezone.now())
    took = time.monotonic() - started
    inbound.process(SmppGateway().receive())
    received += smsc.stop()
    for _round in range(200):
        if not events.deliver_due():
            break
    rows = Notification.objects.filter(key__startswith="bench-sms-")
    sent = rows.filter(status__in=["sent", "delivered"]).count()
    distinct = len({to for _id, to in received})
    delivered = rows.filter(status="delivered").count()
    print(
        f"queue: {sent}/{count} sent in {took:.0f} s ({sent / took:.0f}/s) across an SMSC restart; SMSC received "
        f"{len(received)} messages for {distinct} numbers; receipts recorded {delivered}; "
        + ("NOTHING LOST, NOTHING TWICE" if sent == count == distinct == len(received) else "CHECK: lost or repeated")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--queue", type=int, default=10000)
    parser.add_argument("--window", type=int, default=1)
    parser.add_argument("--restart-after", type=float, default=20)
    parser.add_argument("--down", type=float, default=5)
    parser.add_argument("--limit", type=float, default=900)
    parser.add_argument("--skip", default="")
    options = parser.parse_args()
    skip = set(filter(None, options.skip.split(",")))
    ensure_database(options.database_url)
    sys.path.insert(0, str(ROOT))
    setup_django(options.database_url)
    if "submit" not in skip:
        submit(options.messages, options.window)
    if "queue" not in skip:
        drain_across_restart(options.queue, options.restart_after, options.down, options.window, options.limit)


if __name__ == "__main__":
    main()

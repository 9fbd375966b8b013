"""Screen pop: from the moment the engine offers a call to a consultant (their phone rings) to the
moment their desk has the caller's context on screen — the ring frame through the web server's
relay plus the client-card panels fetched from the desk — with 200 desks connected.

    .venv/bin/python bench/telephony_pop.py --desks 200 --calls 300
    .venv/bin/python bench/telephony_pop.py --database-url sqlite:///$PWD/var/bench-pop.sqlite3 --desks 20 --calls 30

A uvicorn process serves the application and an ``okienko telephony`` process runs the engine,
both on loopback, on PostgreSQL by default (created and migrated when missing). The bench office
has ``--desks`` consultants, all ready; each caller dials the bench line, identifies with a bench
client's number and PIN (outside the measured time) and is queued. The ring frame carries the
engine's offer time; the desk, on receiving it, fetches ``/desk/phone/pop?client=…`` as the
browser does. Reported: p50, p95, max in ms from offer to context shown; target p95 ≤ 150 ms.
The engine and the bench share the machine's clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port
from benchlib import setup_django as setup_django_for

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_pop"
PIN = "2468"
FLOW = {
    "start": "auth",
    "nodes": {
        "auth": {
            "type": "authenticate",
            "text_number": "Numer klienta.",
            "text_pin": "PIN.",
            "max_tries": 3,
            "next": "queue",
            "on_fail": "bye",
        },
        "queue": {"type": "enqueue", "queue": "tel-bench-pop", "priority": 0},
        "bye": {"type": "hangup", "text": "Do widzenia."},
    },
}


def environment(args: argparse.Namespace, engine_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "OKIENKO_PROFILE": "dev",
            "OKIENKO_DEBUG": "0",
            "OKIENKO_VAR_DIR": str(ROOT / "var" / "bench-pop"),
            "DJANGO_SETTINGS_MODULE": "okienko.conf.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "OKIENKO_TELEPHONY_URL": f"ws://127.0.0.1:{engine_port}",
            "OKIENKO_TELEPHONY_PUBLIC_SOFTPHONE": "1",
        }
    )
    return env


def setup_django(args: argparse.Namespace, engine_port: int) -> None:
    os.environ.update(environment(args, engine_port))
    setup_django_for(args.database_url, ROOT / "var" / "bench-pop")


def prepare(desks: int, callers: int) -> tuple[list[str], list[str]]:
    """The consultants' session cookies and the callers' client numbers (each with the PIN)."""
    from django.contrib.auth.hashers import make_password
    from django.test import Client as WebClient
    from django.utils import timezone

    from okienko.accounts.models import Membership, Organisation, User
    from okienko.accounts.roles import Role
    from okienko.clients.models import Client
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow
    from okienko.telephony.models import CallEventRecord, PhoneQueue

    # A bench database of its own: start each run from an empty call log, so the engine does not
    # bring back the consultants of the last run (logged in until their grace period ends).
    CallEventRecord.objects.all().delete()
    office, _new = Organisation.objects.get_or_create(
        code="bench-pop", defaults={"name": "Bench phone office", "kind": Organisation.Kind.COUNTY_OFFICE}
    )
    PhoneQueue.objects.update_or_create(
        code="tel-bench-pop",
        defaults={"organisation": office, "name": "Bench line", "strategy": "longest_idle", "overflow_after": None},
    )
    flow, _new = Flow.objects.get_or_create(code="bench-pop", defaults={"organisation": office, "name": "Bench"})
    if not flow.versions.filter(status="published").exists():
        ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.update_or_create(
        number="9999", defaults={"name": "Bench", "organisation": office, "flow": flow, "active": True}
    )
    cookies = []
    for i in range(desks):
        user, created = User.objects.get_or_create(username=f"bench-pop-{i}", defaults={"first_name": f"Desk {i}"})
        if created:
            Membership.objects.create(user=user, organisation=office, role=Role.CONSULTANT)
        web = WebClient()
        web.force_login(user)
        cookies.append(web.cookies["sessionid"].value)
    hashed = make_password(PIN)
    now = timezone.now()
    numbers = []
    for i in range(callers):
        number = f"K{9_000_000 + i}"  # the caller types the digits
        client, _new = Client.objects.get_or_create(
            number=number,
            defaults={
                "home_office": office,
                "first_name": "Bench",
                "last_name": f"Caller {i}",
                "created_at": now,
                "updated_at": now,
            },
        )
        if not client.pin_hash:
            Client.objects.filter(pk=client.pk).update(pin_hash=hashed)
        numbers.append(number)
    return cookies, numbers


def start(args: argparse.Namespace, web_port: int, engine_port: int) -> list[subprocess.Popen[bytes]]:
    env = environment(args, engine_port)
    engine = subprocess.Popen([sys.executable, "-m", "okienko.manage", "telephony"], env=env, cwd=ROOT)
    web = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "okienko.conf.asgi:application", "--host", "127.0.0.1",
            "--port", str(web_port), "--no-access-log", "--lifespan", "off", "--log-level", "warning",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    for port in (engine_port, web_port):
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    engine.kill()
                    web.kill()
                    raise SystemExit(f"nothing listens on {port}") from None
                time.sleep(0.2)
    return [engine, web]


async def run(args: argparse.Namespace, web_port: int, cookies: list[str], numbers: list[str]) -> list[float]:
    import requests
    import websockets

    base = f"ws://127.0.0.1:{web_port}"
    origin = {"Origin": "http://localhost"}
    latencies: list[float] = []
    answered = asyncio.Event()
    sessions = [requests.Session() for _ in cookies]

    def fetch_pop(index: int, client: str) -> int:
        answer = sessions[index].get(
            f"http://127.0.0.1:{web_port}/desk/phone/pop",
            params={"client": client},
            cookies={"sessionid": cookies[index]},
            timeout=10,
        )
        return answer.status_code

    async def desk(index: int, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "ring":
                status = await asyncio.to_thread(fetch_pop, index, frame["client"])
                if status == 200:
                    latencies.append((time.time() - float(frame["offered_at"])) * 1000)
                await ws.send(json.dumps({"type": "answer", "call": frame["call"]}))
            elif frame.get("type") == "connected":
                await asyncio.sleep(0.05)
                await ws.send(json.dumps({"type": "hangup", "call": frame["call"]}))
                answered.set()

    desks = []
    for cookie in cookies:
        ws = await websockets.connect(
            f"{base}/ws/telephony/agent/", additional_headers={**origin, "Cookie": f"sessionid={cookie}"}
        )
        await ws.send(json.dumps({"type": "ready"}))
        desks.append(ws)
    print(f"connected: {len(desks)} desks")
    readers = [asyncio.create_task(desk(i, ws)) for i, ws in enumerate(desks)]

    async def caller(number: str) -> None:
        async with websockets.connect(f"{base}/ws/telephony/phone/", additional_headers=origin) as phone:
            await phone.send(json.dumps({"type": "dial", "number": "9999"}))
            call = ""
            asked = 0
            async for raw in phone:
                frame = json.loads(raw)
                if frame.get("type") == "dialled":
                    call = frame["call"]
                elif frame.get("type") == "collect":
                    asked += 1
                    digits = number.lstrip("K") if asked == 1 else PIN
                    await phone.send(json.dumps({"type": "press", "call": call, "digits": digits + "#"}))
                elif frame.get("type") in ("ended", "error"):
                    return

    pending: set[asyncio.Task[None]] = set()
    for number in numbers:
        pending.add(asyncio.create_task(asyncio.wait_for(caller(number), timeout=60)))
        await asyncio.sleep(1 / args.rate)
    await asyncio.gather(*pending, return_exceptions=True)
    for task in readers:
        task.cancel()
    for ws in desks:
        await ws.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--desks", type=int, default=200)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=2.5, help="calls started per second")
    args = parser.parse_args()
    engine_port, web_port = free_port(), free_port()
    setup_django(args, engine_port)
    cookies, numbers = prepare(args.desks, args.calls)
    processes = start(args, web_port, engine_port)
    try:
        latencies = asyncio.run(run(args, web_port, cookies, numbers))
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)
    if not latencies:
        raise SystemExit("no screen pop measured")
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"screen pops: {len(latencies)} of {args.calls} calls, {args.desks} desks connected")
    print(f"offer to context shown, ms: p50 {statistics.median(latencies):.1f}, p95 {p95:.1f}, max {latencies[-1]:.1f}")
    print("target p95 <= 150 ms:", "met" if p95 <= 150 else "NOT met")


if __name__ == "__main__":
    main()

"""Live chat: 500 visitors and 50 consultants connected to one ASGI process (uvicorn), and how
long a line takes to reach the other side (fan-out through the channel layer).

    .venv/bin/python bench/chat_load.py --visitors 500 --agents 50 --seconds 60
    .venv/bin/python bench/chat_load.py --database-url sqlite:///$PWD/var/chat.sqlite3 --visitors 20 --agents 2

One uvicorn process serves ``okienko.conf.asgi:application`` on a free loopback port with the
in-memory channel layer (``--redis-url`` for channels-redis); the database is PostgreSQL
(``--database-url``, created and migrated when missing) or a SQLite file.

Every visitor has a chat taken by one of the consultants (round robin, capacity raised to fit);
each visitor sends a line every ``--interval`` seconds (jittered) and its consultant answers
each one. The time from sending a line to its arrival at the other side is measured on both
directions; the report gives p50, p95 and the maximum in milliseconds, the lines lost (sent but
never received) and whether p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_chat"


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "OKIENKO_PROFILE": "dev",
            "OKIENKO_DEBUG": "0",  # as served in production: no query log
            "OKIENKO_VAR_DIR": str(ROOT / "var" / "bench-chat"),
            "DJANGO_SETTINGS_MODULE": "okienko.conf.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update(environment(args))
    setup_django_for(args.database_url, ROOT / "var" / "bench-chat")


def prepare(visitors: int, agents: int) -> tuple[list[str], list[str]]:
    """The consultants (their session cookies) and the visitors' chat tokens, each chat taken."""
    from django.test import Client

    from okienko.accounts.models import Membership, Organisation, User
    from okienko.accounts.roles import Role
    from okienko.channels.chat import service
    from okienko.channels.chat.models import ChatSession
    from okienko.core import clock

    office, _new = Organisation.objects.get_or_create(
        code="bench-chat", defaults={"name": "Bench chat office", "kind": Organisation.Kind.COUNTY_OFFICE}
    )
    ChatSession.objects.filter(organisation=office).update(status=ChatSession.Status.CLOSED)
    per_agent = -(-visitors // agents)
    cookies, users = [], []
    for i in range(agents):
        user, created = User.objects.get_or_create(username=f"bench-chat-{i}", defaults={"first_name": f"Agent {i}"})
        if created:
            Membership.objects.create(user=user, organisation=office, role=Role.CONSULTANT)
        service.set_presence(user, office, online=True, capacity=min(20, max(per_agent, 1)))
        if per_agent > 20:
            from okienko.channels.chat.models import AgentPresence

            AgentPresence.objects.filter(user=user).update(capacity=per_agent)
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
        users.append(user)
    tokens = []
    for i in range(visitors):
        session = ChatSession.objects.create(
            organisation=office, visitor_key=f"bench-{i}", started_at=clock.now(), visitor_name=f"Visitor {i}"
        )
        service.accept(session.pk, users[i % agents])
        tokens.append(session.token)
    return cookies, tokens


def start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "okienko.conf.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--lifespan", "off",
        "--log-level", "warning", "--ws-max-size", "65536",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=environment(args), cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("uvicorn did not start")


class Meter:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []

    def out(self, tag: str) -> str:
        self.sent[tag] = time.perf_counter()
        return tag

    def got(self, text: str) -> bool:
        started = self.sent.pop(text.split(" ", 1)[0], None)
        if started is None:
            return False
        self.latencies.append((time.perf_counter() - started) * 1000)
        return True


async def run(args: argparse.Namespace, port: int, cookies: list[str], tokens: list[str]) -> Meter:
    import websockets

    meter = Meter()
    base = f"ws://127.0.0.1:{port}"
    headers = {"Origin": "http://localhost"}
    stop = time.monotonic() + args.seconds
    agent_sockets = []
    for cookie in cookies:
        ws = await websockets.connect(
            f"{base}/ws/chat/agent/", additional_headers={**headers, "Cookie": f"sessionid={cookie}"}, max_size=2**20
        )
        agent_sockets.append(ws)
    visitor_sockets = []
    for token in tokens:
        visitor_sockets.append(
            await websockets.connect(f"{base}/ws/chat/visitor/{token}/?after=999999", additional_headers=headers)
        )
    print(f"connected: {len(visitor_sockets)} visitors, {len(agent_sockets)} consultants")

    async def agent(ws: Any) -> None:
        import json

        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message" and frame.get("sender") == "visitor" and meter.got(frame["text"]):
                tag = meter.out(f"a{random.getrandbits(48):x}")
                session = frame.get("session")
                await ws.send(json.dumps({"type": "message", "session": session, "text": f"{tag} odpowiedź"}))

    async def visitor(i: int, ws: Any) -> None:
        import json

        async def reader() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "message" and frame.get("sender") == "agent":
                    meter.got(frame["text"])

        task = asyncio.create_task(reader())
        await asyncio.sleep(random.uniform(0, args.interval))
        n = 0
        while time.monotonic() < stop:
            tag = meter.out(f"v{i}-{n}")
            await ws.send(json.dumps({"type": "message", "text": f"{tag} pytanie"}))
            n += 1
            await asyncio.sleep(args.interval * random.uniform(0.8, 1.2))
        await asyncio.sleep(2)  # the last answers
        task.cancel()

    readers = [asyncio.create_task(agent(ws)) for ws in agent_sockets]
    await asyncio.gather(*(visitor(i, ws) for i, ws in enumerate(visitor_sockets)))
    for task in readers:
        task.cancel()
    for ws in [*visitor_sockets, *agent_sockets]:
        await ws.close()
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default="", help="channels-redis instead of the in-memory layer")
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between a visitor's lines")
    args = parser.parse_args()
    setup_django(args)
    cookies, tokens = prepare(args.visitors, args.agents)
    port = free_port()
    server = start_server(args, port)
    try:
        meter = asyncio.run(run(args, port, cookies, tokens))
    finally:
        server.terminate()
        server.wait(10)
    lat = sorted(meter.latencies)
    if not lat:
        raise SystemExit("no line arrived")
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(f"lines delivered: {len(lat)}, lost: {len(meter.sent)}")
    print(f"fan-out ms: p50 {statistics.median(lat):.1f}, p95 {p95:.1f}, max {lat[-1]:.1f}")
    print("target p95 <= 100 ms:", "met" if p95 <= 100 else "NOT met")


if __name__ == "__main__":
    main()

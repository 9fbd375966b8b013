"""The live engine end to end over its WebSocket door: a caller dials an entry number, identifies
with client number and PIN, is queued to their county office, the consultant's desk rings with
the caller's context, the consultant answers and ends the call, and the call is on the client's
history; a dropped desk logs the consultant out; strangers are refused; nothing logs the PIN."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.choices import Channel
from okienko.interactions.models import Interaction
from okienko.telephony import runtime as runtime_module
from okienko.telephony.identity import HEADER, Identity
from okienko.telephony.models import CallEventRecord, PhoneQueue
from tests.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

FLOW = {
    "start": "welcome",
    "nodes": {
        "welcome": {"type": "play", "text": "Dzień dobry.", "next": "auth"},
        "auth": {
            "type": "authenticate",
            "text_number": "Podaj numer klienta i krzyżyk.",
            "text_pin": "Podaj PIN i krzyżyk.",
            "max_tries": 3,
            "next": "queue",
            "on_fail": "bye",
        },
        "queue": {"type": "enqueue", "queue": "{office}", "priority": 0},
        "bye": {"type": "hangup", "text": "Do widzenia."},
    },
}


@dataclass
class Engine:
    url: str
    runtime: runtime_module.Runtime
    loop: asyncio.AbstractEventLoop

    def socket(self, identity: Identity) -> ClientConnection:
        return connect(self.url, additional_headers={HEADER: identity.sign()}, open_timeout=5)

    def flush(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runtime.flush(), self.loop).result(5)


@pytest.fixture
def office(region: Organisation) -> Organisation:
    office = Organisation.objects.get(code="pup-a")
    PhoneQueue.objects.create(organisation=office, code="tel-pup-a", name="PUP A — infolinia", overflow_after=None)
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow

    flow = Flow.objects.create(organisation=region, code="test-9510", name="Test")
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.create(number="9510", name="Infolinia", organisation=region, flow=flow)
    return office


@contextlib.contextmanager
def running_engine(line: str = "") -> Iterator[Engine]:
    """The engine process's server on a thread (``line``: the real line beside the simulator)."""
    from okienko.telephony.server import serve_forever

    port = free_port()
    started: dict[str, Any] = {}
    ready = threading.Event()

    def on_start(loop: asyncio.AbstractEventLoop, stop: asyncio.Event, rt: runtime_module.Runtime) -> None:
        started.update(loop=loop, stop=stop, runtime=rt)
        ready.set()

    thread = threading.Thread(
        target=lambda: asyncio.run(serve_forever("127.0.0.1", port, started=on_start, line=line)), daemon=True
    )
    thread.start()
    assert ready.wait(15), "the engine did not start"
    try:
        yield Engine(f"ws://127.0.0.1:{port}", started["runtime"], started["loop"])
    finally:
        started["loop"].call_soon_threadsafe(started["stop"].set)
        thread.join(10)


@pytest.fixture
def engine(office: Organisation, settings: Any) -> Iterator[Engine]:
    settings.TELEPHONY_PIN_MAX_FAILURES = 5
    with running_engine() as started:
        yield started


def until(socket: ClientConnection, kind: str, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {kind!r} frame"
        frame: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if frame.get("type") == kind:
            return frame


def press(phone: ClientConnection, call: str, digits: str) -> None:
    phone.send(json.dumps({"type": "press", "call": call, "digits": digits}))


@pytest.fixture
def caller_client(office: Organisation) -> Client:
    client = client_actions.register_client(actor=None, home_office=office, first_name="Jan", last_name="Kowalski")
    client_actions.set_pin(actor=None, client=client, pin="4321")
    return client


@pytest.fixture
def agent(office: Organisation, make_user: Any) -> User:
    user: User = make_user("konsultant", roles=[(office, Role.CONSULTANT)])
    return user


def test_a_caller_identified_by_pin_reaches_their_office_and_the_call_is_on_their_history(
    engine: Engine, caller_client: Client, agent: User
) -> None:
    desk = engine.socket(Identity(role="agent", user=str(agent.pk), name="Test", queues={"tel-pup-a": 0}))
    assert until(desk, "state")["state"] == "logged_out"
    desk.send(json.dumps({"type": "ready"}))
    assert until(desk, "state")["state"] in ("available", "logged_out")
    phone = engine.socket(Identity(role="phone", caller="+48600100200"))
    phone.send(json.dumps({"type": "dial", "number": "9510"}))
    call = until(phone, "dialled")["call"]
    until(phone, "collect")
    press(phone, call, caller_client.number + "#")
    assert until(phone, "collect")["secret"] is True
    press(phone, call, "4321#")
    until(phone, "queued")
    ring = until(desk, "ring")
    assert ring["call"] == call
    assert ring["client"] == str(caller_client.pk)
    assert ring["queue"] == "tel-pup-a"
    assert ring["caller"] == "+48600100200"
    desk.send(json.dumps({"type": "answer", "call": call}))
    until(desk, "connected")
    until(phone, "connected")
    desk.send(json.dumps({"type": "hangup", "call": call}))
    completed = until(desk, "completed")
    until(phone, "ended")
    interaction = Interaction.objects.get(uuid=completed["interaction"])
    assert (interaction.channel, interaction.client_id, interaction.staff_id) == (
        Channel.PHONE,
        caller_client.pk,
        agent.pk,
    )
    phone.close()
    desk.close()
    engine.flush()
    kinds = list(CallEventRecord.objects.filter(call=call).values_list("kind", flat=True))
    for kind in ("call.start", "ivr.authenticated", "queue.enter", "offer", "connect", "complete"):
        assert kind in kinds
    logged = json.dumps(list(CallEventRecord.objects.values_list("data", flat=True)))
    assert "4321" not in logged


def test_a_wrong_pin_does_not_identify_the_caller(engine: Engine, caller_client: Client) -> None:
    phone = engine.socket(Identity(role="phone"))
    phone.send(json.dumps({"type": "dial", "number": "9510"}))
    call = until(phone, "dialled")["call"]
    for _attempt in range(3):
        until(phone, "collect")
        press(phone, call, caller_client.number + "#")
        until(phone, "collect")
        press(phone, call, "0000#")
    until(phone, "ended")
    engine.flush()
    assert CallEventRecord.objects.filter(call=call, kind="ivr.auth_failed").count() >= 3
    assert not CallEventRecord.objects.filter(call=call, kind="ivr.authenticated").exists()
    assert "0000" not in json.dumps(list(CallEventRecord.objects.values_list("data", flat=True)))


def test_an_unknown_number_and_a_stranger(engine: Engine) -> None:
    phone = engine.socket(Identity(role="phone"))
    phone.send(json.dumps({"type": "dial", "number": "0000"}))
    assert until(phone, "error")["code"] == "unknown-number"
    phone.send("not json")
    assert until(phone, "error")["code"] == "bad-frame"
    with connect(engine.url, additional_headers={HEADER: "forged"}, open_timeout=5) as stranger:
        with pytest.raises(Exception):  # noqa: B017,PT011 - closed 4403 by the engine
            stranger.recv(timeout=5)
        assert stranger.close_code == 4403


def test_a_caller_hanging_up_in_the_queue_leaves_no_ghost(engine: Engine, caller_client: Client) -> None:
    phone = engine.socket(Identity(role="phone"))
    phone.send(json.dumps({"type": "dial", "number": "9510"}))
    call = until(phone, "dialled")["call"]
    until(phone, "collect")
    press(phone, call, caller_client.number + "#")
    until(phone, "collect")
    press(phone, call, "4321#")
    phone.close()  # hangs up (the connection goes)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and call in engine.runtime.calls:
        time.sleep(0.05)
    assert call not in engine.runtime.calls
    future = asyncio.run_coroutine_threadsafe(_stats(engine.runtime), engine.loop)
    assert future.result(5) == 0


async def _stats(rt: runtime_module.Runtime) -> int:
    return int(rt.acd.queue_stats("tel-pup-a").waiting)


def test_a_desk_gone_for_the_grace_period_logs_the_consultant_out(
    engine: Engine, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "AGENT_GRACE", 0.2)
    desk = engine.socket(Identity(role="agent", user=str(agent.pk), name="Test", queues={"tel-pup-a": 0}))
    until(desk, "state")
    desk.send(json.dumps({"type": "ready"}))
    until(desk, "state")
    desk.close()
    time.sleep(0.6)

    async def state() -> str:
        view = engine.runtime.acd.agent_state(str(agent.pk))
        return "logged_out" if view is None else str(view.state)

    assert asyncio.run_coroutine_threadsafe(state(), engine.loop).result(5) == "logged_out"


def _relay(consumer: Any, user: Any, path: str) -> Any:
    from tests.chat.conftest import WebsocketCommunicator

    communicator = WebsocketCommunicator(consumer.as_asgi(), path)
    communicator.scope["user"] = user
    return communicator


def _in_thread(coroutine_function: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine_function()).result(timeout=60)


def test_the_web_server_relays_a_desk_and_refuses_strangers(
    engine: Engine, agent: User, settings: Any, make_user: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from okienko.telephony import consumers

    settings.TELEPHONY_ENGINE_URL = engine.url
    settings.TELEPHONY_PUBLIC_SOFTPHONE = False
    nobody = make_user("nobody")

    async def scenario() -> None:
        desk = _relay(consumers.AgentConsumer, agent, "/ws/telephony/agent/")
        assert (await desk.connect())[0]
        frame = await desk.receive_json_from(timeout=5)
        assert frame["type"] == "state"
        await desk.send_json_to({"type": "ready"})
        states = [await desk.receive_json_from(timeout=5) for _ in range(2)]
        assert any(s.get("state") == "available" for s in states)
        await desk.disconnect()
        for consumer, user in (
            (consumers.AgentConsumer, nobody),
            (consumers.BoardConsumer, agent),
            (consumers.PhoneConsumer, AnonymousUser()),
        ):
            refused = _relay(consumer, user, "/ws/telephony/x/")
            connected, code = await refused.connect()
            assert (connected, code) == (False, 4403)

    _in_thread(scenario)


def test_the_desk_is_told_when_the_engine_is_down(agent: User, settings: Any) -> None:
    from okienko.telephony import consumers

    settings.TELEPHONY_ENGINE_URL = f"ws://127.0.0.1:{free_port()}"

    async def scenario() -> None:
        desk = _relay(consumers.AgentConsumer, agent, "/ws/telephony/agent/")
        assert (await desk.connect())[0]
        assert (await desk.receive_json_from(timeout=5))["code"] == "engine-down"

    _in_thread(scenario)


def test_after_a_restart_a_consultant_whose_desk_does_not_come_back_is_logged_out(
    office: Organisation, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log says the consultant was ready; the engine restarts and their desk never
    reconnects: after the grace period they are logged out, so no call rings at an empty desk."""
    from okienko.telephony import directory
    from okienko.telephony.engine.events import CallEvent

    monkeypatch.setattr(runtime_module, "AGENT_GRACE", 0.3)
    now = time.time()
    directory.persist(
        [
            CallEvent(now - 60, "agent.login", agent=str(agent.pk), data={"queues": {"tel-pup-a": 0}, "name": "T"}),
            CallEvent(now - 59, "agent.ready", agent=str(agent.pk)),
        ]
    )
    with running_engine() as started:

        async def state() -> str:
            view = started.runtime.acd.agent_state(str(agent.pk))
            return "logged_out" if view is None else str(view.state)

        assert asyncio.run_coroutine_threadsafe(state(), started.loop).result(5) == "available"
        time.sleep(0.8)
        assert asyncio.run_coroutine_threadsafe(state(), started.loop).result(5) == "logged_out"

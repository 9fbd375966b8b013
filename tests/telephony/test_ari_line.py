"""The Asterisk line through the whole engine (issue 16, part 7): the engine process is started
with ``line="ari"`` against the fake ARI server (``fake_ari``, on its own thread and loop), and
the calls placed on it go through the IVR (prompts as ``sound:`` media, client number and PIN as
``ChannelDtmfReceived``), the recording notice, the queue and the consultant's desk to the
consultant's phone (an originate, a mixing bridge, a recording on the bridge), supervision from
the wallboard, and the bad cases: the ARI connection dropped mid-call, callers hanging up in the
IVR or the queue, a caller who presses nothing, a consultant's phone that does not answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client as Django
from websockets.sync.client import ClientConnection

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.interactions.models import Interaction
from okienko.telephony.identity import Identity
from okienko.telephony.media_models import CallRecording
from okienko.telephony.models import CallEventRecord, PhoneQueue
from tests.telephony.fake_ari import FakeAri
from tests.telephony.test_runtime import (  # noqa: F401 - fixtures
    FLOW,
    Engine,
    agent,
    caller_client,
    office,
    running_engine,
    until,
)

pytestmark = pytest.mark.django_db(transaction=True)

AGENT_PHONE = "PJSIP/agent-1"
PROMPT_BASE = "http://okienko.test"


class FakeLine:
    """The fake Asterisk on a thread of its own; its state is touched only on its loop."""

    def __init__(self) -> None:
        self.fake = FakeAri()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = self.run(self.fake.start)

    def run(self, coroutine_function: Callable[[], Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine_function(), self.loop).result(5)

    def do(self, function: Callable[..., Any], *args: Any) -> Any:
        async def call() -> Any:
            return function(*args)

        return self.run(call)

    def asked(self, method: str, pattern: str) -> list[Any]:
        return list(self.do(self.fake.asked, method, pattern))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self.fake.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def wait(condition: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError as exc:  # SQLite: the engine's thread is writing that table
            if "locked" not in str(exc):
                raise
            value = None
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def stored_recording(engine: Engine, channel: str) -> CallRecording:
    """The call's recording once the engine has stored it (read after, not while, it writes)."""
    wait(lambda: on_engine(engine, lambda: channel not in engine.runtime._recorded), "the recording stored")
    recording: CallRecording = wait(lambda: CallRecording.objects.filter(call=channel).first(), "the recording")
    return recording


def until_frame(
    socket: ClientConnection, kind: str, check: Callable[[dict[str, Any]], bool], timeout: float = 5.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no matching {kind!r} frame"
        frame: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if frame.get("type") == kind and check(frame):
            return frame


def frames(
    socket: ClientConnection, wanted: dict[str, Callable[[dict[str, Any]], bool]], timeout: float = 5.0
) -> dict[str, dict[str, Any]]:
    """The first frame of each kind in ``wanted`` that passes its check, in whatever order."""
    seen: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(wanted):
        left = deadline - time.monotonic()
        assert left > 0, f"no {sorted(set(wanted) - set(seen))} frame"
        frame: dict[str, Any] = json.loads(socket.recv(timeout=left))
        kind = str(frame.get("type"))
        if kind in wanted and kind not in seen and wanted[kind](frame):
            seen[kind] = frame
    return seen


def on_engine(engine: Engine, function: Callable[[], Any]) -> Any:
    async def call() -> Any:
        return function()

    return asyncio.run_coroutine_threadsafe(call(), engine.loop).result(5)


@pytest.fixture
def line() -> Iterator[FakeLine]:
    started = FakeLine()
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def ari_engine(office: Organisation, line: FakeLine, settings: Any) -> Iterator[Engine]:  # noqa: F811
    """The engine with its Asterisk line; the flow's authentication has short time-outs."""
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber

    settings.TELEPHONY_PIN_MAX_FAILURES = 5
    settings.TELEPHONY_ARI_URL = line.url + "/ari"
    settings.TELEPHONY_ARI_USER = line.fake.username
    settings.TELEPHONY_ARI_PASSWORD = line.fake.password
    settings.TELEPHONY_ARI_APP = line.fake.app
    settings.TELEPHONY_AGENT_ENDPOINT = "PJSIP/{user}"
    settings.TELEPHONY_PROMPT_BASE_URL = PROMPT_BASE
    nodes: dict[str, Any] = dict(FLOW["nodes"])  # type: ignore[arg-type]
    nodes["auth"] = {**nodes["auth"], "first_timeout": 0.6, "inter_digit_timeout": 0.6, "max_tries": 2}
    flow = EntryNumber.objects.get(number="9510").flow
    ivr_actions.publish(
        actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition={**FLOW, "nodes": nodes})
    )
    PhoneQueue.objects.filter(code="tel-pup-a").update(record_calls=True, wrap_up=0)
    with running_engine(line="ari") as engine:
        wait(lambda: line.do(lambda: line.fake.connections), "the engine's ARI connection")
        yield engine


@pytest.fixture
def supervisor(office: Organisation, make_user: Any) -> User:  # noqa: F811
    user: User = make_user("kierownik", roles=[(office, Role.SUPERVISOR)])
    return user


def desk_for(engine: Engine, agent: User) -> ClientConnection:  # noqa: F811
    desk = engine.socket(Identity(role="agent", user=str(agent.pk), name="Konsultant", queues={"tel-pup-a": 0}))
    until(desk, "state")
    desk.send(json.dumps({"type": "login", "phone": AGENT_PHONE}))
    desk.send(json.dumps({"type": "ready"}))
    wait(lambda: agent_view(engine, agent) == "available", "the consultant ready")
    return desk


def agent_view(engine: Engine, agent: User) -> str:  # noqa: F811
    view = on_engine(engine, lambda: engine.runtime.acd.agent_state(str(agent.pk)))
    return "logged_out" if view is None else str(view.state)


def waiting(engine: Engine) -> list[str]:
    """The calls waiting in any queue of the ACD (no ghost may stay there)."""
    snapshot = on_engine(engine, engine.runtime.acd.snapshot)
    return [str(c["call"]) for queue in snapshot.get("queues", {}).values() for c in queue.get("calls", [])]


def place(line: FakeLine, engine: Engine, caller: str = "48600100200") -> str:
    channel = str(line.do(line.fake.place_call, "9510", caller))
    wait(lambda: channel in engine.runtime.calls, "the engine's call")
    return channel


def identify(line: FakeLine, engine: Engine, channel: str, client: Client, pin: str = "4321") -> None:
    """Client number and PIN as DTMF, each once its question is being asked."""
    call = engine.runtime.calls[channel]
    wait(lambda: "auth" in call.path, "the authentication node")
    line.do(line.fake.dtmf, channel, client.number + "#")
    wait(lambda: len(line.asked("POST", rf"/ari/channels/{channel}/play/.+")) >= 3, "the PIN question")
    line.do(line.fake.dtmf, channel, pin + "#")


def connect(line: FakeLine, engine: Engine, desk: ClientConnection, channel: str) -> dict[str, Any]:
    ring = until_frame(desk, "ring", lambda f: f["call"] == channel)
    desk.send(json.dumps({"type": "answer", "call": channel}))
    until_frame(desk, "connected", lambda f: f["call"] == channel)
    return ring


def test_an_asterisk_caller_is_identified_queued_bridged_recorded_and_on_the_clients_history(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
) -> None:
    desk = desk_for(ari_engine, agent)
    channel = place(line, ari_engine)
    wait(lambda: line.do(lambda: line.fake.channels[channel]["state"]) == "Up", "the engine's answer", 10)
    identify(line, ari_engine, channel, caller_client)

    ring = connect(line, ari_engine, desk, channel)
    assert ring["client"] == str(caller_client.pk)
    assert ring["client_number"] == caller_client.number
    assert ring["caller"] == "48600100200"
    assert ring["queue"] == "tel-pup-a"
    call = ari_engine.runtime.calls[channel]
    assert call.consent_played
    assert call.recording

    # The prompts (welcome, number, PIN, the recording notice) were played as sound: media.
    plays = line.asked("POST", rf"/ari/channels/{channel}/play/.+")
    assert len(plays) >= 4
    assert all(p.param("media").startswith(f"sound:{PROMPT_BASE}/") for p in plays)
    assert all(p.param("media").endswith(".wav") for p in plays)  # Asterisk's media cache needs it
    fetched = Django().get(plays[0].param("media").removeprefix(f"sound:{PROMPT_BASE}"))
    assert (fetched.status_code, fetched["Content-Type"]) == (200, "audio/wav")  # what Asterisk fetches
    # The consultant's phone was originated and joined with the caller in one mixing bridge.
    (originate,) = line.asked("POST", r"/ari/channels")
    assert originate.param("endpoint") == AGENT_PHONE
    assert originate.param("app") == line.fake.app
    leg = originate.param("channelId")
    bridges = line.do(lambda: {k: dict(v, channels=list(v["channels"])) for k, v in line.fake.bridges.items()})
    (bridge,) = bridges.values()
    assert bridge["bridge_type"] == "mixing"
    assert sorted(bridge["channels"]) == sorted([channel, leg])
    (record,) = line.asked("POST", rf"/ari/bridges/{bridge['id']}/record")
    assert record.param("format") == "wav"
    assert agent_view(ari_engine, agent) == "on_call"

    desk.send(json.dumps({"type": "hangup", "call": channel}))
    completed = until_frame(desk, "completed", lambda f: f["call"] == channel)
    recording = stored_recording(ari_engine, channel)
    assert recording.consent_played
    assert len(recording.sha256) == 64
    assert recording.queue == "tel-pup-a"
    name = record.param("name")
    assert line.asked("GET", rf"/ari/recordings/stored/{name}/file")
    wait(lambda: line.asked("DELETE", rf"/ari/recordings/stored/{name}"), "the recording deleted on Asterisk")
    assert line.do(lambda: channel not in line.fake.channels)  # the caller was hung up
    interaction = Interaction.objects.get(uuid=completed["interaction"])
    assert (interaction.client_id, interaction.staff_id) == (caller_client.pk, agent.pk)
    assert recording.interaction_id == interaction.pk  # so the client card lists it
    desk.close()
    ari_engine.flush()
    kinds = set(CallEventRecord.objects.filter(call=channel).values_list("kind", flat=True))
    assert {"call.start", "ivr.authenticated", "record.consent", "record.start", "record.stop"} <= kinds
    assert {"queue.enter", "offer", "connect", "complete", "call.end"} <= kinds
    assert "4321" not in json.dumps(list(CallEventRecord.objects.values_list("data", flat=True)))


def test_a_supervisor_listens_whispers_and_barges_in_from_the_wallboard(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
    supervisor: User,
) -> None:
    desk = desk_for(ari_engine, agent)
    board = ari_engine.socket(Identity(role="supervisor", user=str(supervisor.pk), name="K", scope=["pup-a"]))
    until(board, "board")
    channel = place(line, ari_engine)
    identify(line, ari_engine, channel, caller_client)
    connect(line, ari_engine, desk, channel)
    leg = line.asked("POST", r"/ari/channels")[0].param("channelId")

    def mine(frame: dict[str, Any]) -> list[dict[str, Any]]:
        return [a for a in frame["agents"] if a["agent"] == str(agent.pk)]

    frame = until_frame(board, "board", lambda f: bool(mine(f)) and mine(f)[0]["call"] == channel)
    assert mine(frame)[0]["modes"] == ["listen", "whisper", "barge"]
    own_phone = f"PJSIP/{supervisor.pk}"

    board.send(json.dumps({"type": "supervise", "call": channel, "mode": "listen"}))
    until_frame(board, "board", lambda f: bool(mine(f)) and mine(f)[0]["supervising"] == "listen")
    (snoop,) = line.asked("POST", rf"/ari/channels/{channel}/snoop")
    assert (snoop.param("spy"), snoop.param("whisper")) == ("both", "none")
    originated = [r for r in line.asked("POST", r"/ari/channels") if r.param("endpoint") == own_phone]
    assert len(originated) == 1
    listen_leg, snoop_id = originated[0].param("channelId"), snoop.param("snoopId")
    joined = line.asked("POST", r"/ari/bridges/[^/]+/addChannel")
    assert any(r.param("channel") == f"{snoop_id},{listen_leg}" for r in joined)

    board.send(json.dumps({"type": "supervise", "call": channel, "mode": "whisper"}))
    until_frame(board, "board", lambda f: bool(mine(f)) and mine(f)[0]["supervising"] == "whisper")
    (whisper,) = line.asked("POST", rf"/ari/channels/{leg}/snoop")  # on the consultant's channel
    assert (whisper.param("spy"), whisper.param("whisper")) == ("both", "out")
    assert line.asked("DELETE", rf"/ari/channels/{listen_leg}")  # the listening leg was replaced
    assert line.asked("DELETE", rf"/ari/channels/{snoop_id}")

    board.send(json.dumps({"type": "supervise", "call": channel, "mode": "barge"}))
    until_frame(board, "board", lambda f: bool(mine(f)) and mine(f)[0]["supervising"] == "barge")
    barge_leg = [r for r in line.asked("POST", r"/ari/channels") if r.param("endpoint") == own_phone][-1]
    bridge = ari_engine.runtime.line.bridge_id(channel)  # type: ignore[union-attr]
    members = line.do(lambda: list(line.fake.bridges[bridge]["channels"]))
    assert sorted(members) == sorted([channel, leg, barge_leg.param("channelId")])

    board.send(json.dumps({"type": "stop_supervising", "call": channel}))
    until_frame(board, "board", lambda f: bool(mine(f)) and mine(f)[0]["supervising"] == "")
    wait(lambda: line.asked("DELETE", rf"/ari/channels/{barge_leg.param('channelId')}"), "the barging leg hung up")
    assert line.do(lambda: sorted(line.fake.bridges[bridge]["channels"])) == sorted([channel, leg])
    assert line.do(lambda: len(line.fake.bridges)) == 1  # the supervision bridges are gone
    desk.send(json.dumps({"type": "hangup", "call": channel}))
    until_frame(desk, "completed", lambda f: f["call"] == channel)
    board.close()
    desk.close()
    ari_engine.flush()
    modes = [
        d["mode"] for d in CallEventRecord.objects.filter(call=channel, kind="supervise").values_list("data", flat=True)
    ]
    assert modes == ["listen", "whisper", "barge"]
    assert CallEventRecord.objects.filter(call=channel, kind="supervise.stop").exists()


def plays_of(line: FakeLine, channel: str) -> int:
    return len(line.asked("POST", rf"/ari/channels/{channel}/play/.+"))


def test_calls_that_ended_while_the_ari_connection_was_down_are_ended_and_a_live_one_goes_on(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
    supervisor: User,
) -> None:
    desk = desk_for(ari_engine, agent)
    board = ari_engine.socket(Identity(role="supervisor", user=str(supervisor.pk), name="K", scope=["pup-a"]))
    until(board, "board")
    talking = place(line, ari_engine, "48600000001")
    identify(line, ari_engine, talking, caller_client)
    connect(line, ari_engine, desk, talking)
    leaving, staying = place(line, ari_engine, "48600000002"), place(line, ari_engine, "48600000003")
    for channel in (leaving, staying):
        identify(line, ari_engine, channel, caller_client)
    # both wait (the consultant is busy); their prompts (up to the position) have been played
    wait(lambda: {leaving, staying} <= set(waiting(ari_engine)), "two callers waiting")
    wait(
        lambda: plays_of(line, staying) >= 5 and plays_of(line, leaving) >= 5 and not line.fake.playbacks,
        "the waiting callers' prompts",
    )

    line.do(line.fake.drop, 1.0)  # Asterisk restarts: the events connection and REST are down for 1 s
    wait(lambda: line.do(lambda: line.fake.connections) == 0, "the connection closed")
    line.do(line.fake.hang_up, talking)  # these ends are lost with the connection
    line.do(line.fake.hang_up, leaving)
    lost = until_frame(board, "alert", lambda f: "lost" in f["detail"])
    assert lost["what"] == "ari"

    until_frame(board, "alert", lambda f: "back" in f["detail"], timeout=5)
    wait(lambda: talking not in ari_engine.runtime.calls and leaving not in ari_engine.runtime.calls, "the ends")
    assert waiting(ari_engine) in ([staying], [])  # no ghost in the queue
    # the consultant is not stuck on the lost call: the caller who stayed rings at their desk
    seen = frames(desk, {"completed": lambda f: f["call"] == talking, "ring": lambda f: f["call"] == staying})
    assert seen["completed"]["by"] == "caller"
    desk.send(json.dumps({"type": "answer", "call": staying}))
    until_frame(desk, "connected", lambda f: f["call"] == staying)
    assert agent_view(ari_engine, agent) == "on_call"
    assert line.do(lambda: staying in line.fake.channels)
    desk.send(json.dumps({"type": "hangup", "call": staying}))
    until_frame(desk, "completed", lambda f: f["call"] == staying)
    board.close()
    desk.close()
    ari_engine.flush()
    failures = AuditRecord.objects.filter(action="telephony.failure")
    assert any("lost" in str(r.data.get("detail")) for r in failures)
    ends = dict(CallEventRecord.objects.filter(kind="call.end").values_list("call", "data"))
    assert ends[talking]["reason"] == ends[leaving]["reason"] == "caller_hangup"
    assert CallEventRecord.objects.filter(call=leaving, kind="abandon").exists()
    # the recording of the lost call ended with its bridge and belongs to its contact
    recording = stored_recording(ari_engine, talking)
    assert recording.interaction == Interaction.objects.get(uuid=seen["completed"]["interaction"])


def test_callers_hanging_up_in_the_ivr_in_the_queue_and_while_ringing_leave_no_ghost(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
) -> None:
    in_ivr = place(line, ari_engine)
    wait(lambda: "auth" in ari_engine.runtime.calls[in_ivr].path, "the authentication node")
    line.do(line.fake.hang_up, in_ivr)
    wait(lambda: in_ivr not in ari_engine.runtime.calls, "the IVR call ended")

    desk = desk_for(ari_engine, agent)
    desk.send(json.dumps({"type": "pause", "reason": "break"}))
    wait(lambda: agent_view(ari_engine, agent) == "paused", "the consultant paused")
    in_queue = place(line, ari_engine)
    identify(line, ari_engine, in_queue, caller_client)
    wait(lambda: in_queue in waiting(ari_engine), "the call waiting")
    line.do(line.fake.hang_up, in_queue)
    wait(lambda: in_queue not in ari_engine.runtime.calls, "the waiting call ended")
    assert waiting(ari_engine) == []

    desk.send(json.dumps({"type": "ready"}))
    ringing = place(line, ari_engine)
    identify(line, ari_engine, ringing, caller_client)
    until_frame(desk, "ring", lambda f: f["call"] == ringing)
    line.do(line.fake.hang_up, ringing)
    wait(lambda: ringing not in ari_engine.runtime.calls, "the ringing call ended")
    wait(lambda: agent_view(ari_engine, agent) == "available", "the consultant free again")
    assert waiting(ari_engine) == []
    desk.send(json.dumps({"type": "answer", "call": ringing}))
    assert until(desk, "error")["code"] == "gone"
    assert line.asked("POST", r"/ari/channels") == []  # nobody's phone was rung for them
    desk.close()
    ari_engine.flush()
    ends = dict(CallEventRecord.objects.filter(kind="call.end").values_list("call", "data"))
    assert {ends[c]["reason"] for c in (in_ivr, in_queue, ringing)} == {"caller_hangup"}
    assert CallEventRecord.objects.filter(kind="abandon", call__in=[in_queue, ringing]).count() == 2


def test_a_caller_who_presses_nothing_goes_to_the_flows_on_fail_path(ari_engine: Engine, line: FakeLine) -> None:
    silent = place(line, ari_engine)
    wait(lambda: silent not in ari_engine.runtime.calls, "the silent call ended", timeout=5)
    assert line.asked("DELETE", rf"/ari/channels/{silent}")  # hung up by the engine
    assert line.do(lambda: silent not in line.fake.channels)
    ari_engine.flush()
    events = list(CallEventRecord.objects.filter(call=silent).values_list("kind", "data"))
    assert [data["attempt"] for kind, data in events if kind == "ivr.auth_failed"] == [1, 2]
    assert ("ivr.node", "bye") in [(kind, data.get("node")) for kind, data in events]
    assert [data["reason"] for kind, data in events if kind == "call.end"] == ["ivr_hangup"]


def test_a_consultants_phone_that_does_not_answer_puts_the_call_back_in_the_queue(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
) -> None:
    line.do(line.fake.answers, AGENT_PHONE, False)
    desk = desk_for(ari_engine, agent)
    channel = place(line, ari_engine)
    identify(line, ari_engine, channel, caller_client)
    until_frame(desk, "ring", lambda f: f["call"] == channel)
    desk.send(json.dumps({"type": "answer", "call": channel}))
    error = until(desk, "error")
    assert error["code"] == "bridge"
    wait(lambda: waiting(ari_engine) == [channel], "the call back in the queue")
    call = ari_engine.runtime.calls[channel]
    assert (call.state, call.agent, call.recording) == ("queued", "", False)
    assert line.do(lambda: channel in line.fake.channels)  # the caller still waits on the line
    assert line.do(lambda: line.fake.bridges) == {} or all(
        b["channels"] == [channel] for b in line.do(lambda: list(line.fake.bridges.values()))
    )
    # the consultant is not offered it again at once (their phone does not answer) and no
    # contact that never took place is put on the client's history
    wait(lambda: agent_view(ari_engine, agent) == "paused", "the consultant paused")
    assert not Interaction.objects.filter(client=caller_client).exists()

    line.do(line.fake.answers, AGENT_PHONE, True)  # the phone is fixed: ready again, the call rings
    desk.send(json.dumps({"type": "ready"}))
    connect(line, ari_engine, desk, channel)
    assert len(line.asked("POST", r"/ari/channels")) == 2
    desk.send(json.dumps({"type": "hangup", "call": channel}))
    until_frame(desk, "completed", lambda f: f["call"] == channel)
    desk.close()
    assert Interaction.objects.filter(client=caller_client).count() == 1


def test_a_caller_hanging_up_while_the_consultants_phone_rings_stops_the_ringing(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
) -> None:
    line.fake.answer_delay = 3.0  # the consultant's phone rings for 3 s before it is picked up
    desk = desk_for(ari_engine, agent)
    channel = place(line, ari_engine)
    identify(line, ari_engine, channel, caller_client)
    until_frame(desk, "ring", lambda f: f["call"] == channel)
    desk.send(json.dumps({"type": "answer", "call": channel}))
    leg = wait(lambda: line.asked("POST", r"/ari/channels"), "the consultant's phone rung")[0].param("channelId")
    line.do(line.fake.hang_up, channel)
    seen = frames(desk, {"completed": lambda f: f["call"] == channel, "state": lambda f: f["state"] == "available"})
    assert seen["completed"]["by"] == "caller"
    wait(lambda: line.do(lambda: leg not in line.fake.channels), "the consultant's phone stops ringing", timeout=1)
    time.sleep(0.2)
    assert channel not in ari_engine.runtime.calls
    assert line.do(lambda: line.fake.bridges) == {}
    assert not line.asked("POST", r"/ari/bridges/.+/record")
    desk.close()
    ari_engine.flush()
    kinds = set(CallEventRecord.objects.filter(call=channel).values_list("kind", flat=True))
    assert "record.start" not in kinds
    assert {"connect", "complete", "call.end"} <= kinds


def test_the_consultant_hanging_up_their_phone_ends_the_call_and_frees_them(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
) -> None:
    desk = desk_for(ari_engine, agent)
    channel = place(line, ari_engine)
    identify(line, ari_engine, channel, caller_client)
    connect(line, ari_engine, desk, channel)
    leg = line.asked("POST", r"/ari/channels")[0].param("channelId")
    line.do(line.fake.hang_up, leg)  # the consultant puts the handset down
    until_frame(desk, "completed", lambda f: f["call"] == channel)
    wait(lambda: line.do(lambda: channel not in line.fake.channels), "the caller hung up too")
    wait(lambda: agent_view(ari_engine, agent) == "available", "the consultant free")
    assert channel not in ari_engine.runtime.calls
    recording = stored_recording(ari_engine, channel)
    assert recording.consent_played
    assert line.do(lambda: line.fake.bridges) == {}
    desk.close()


def test_an_unknown_number_is_hung_up_and_a_supervisors_phone_that_does_not_answer_is_told(
    ari_engine: Engine,
    line: FakeLine,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
    supervisor: User,
) -> None:
    nowhere = str(line.do(line.fake.place_call, "0000", "48600100200"))
    wait(lambda: line.do(lambda: nowhere not in line.fake.channels), "the unknown number hung up")
    assert nowhere not in ari_engine.runtime.calls
    assert not line.asked("POST", rf"/ari/channels/{nowhere}/answer")

    line.do(line.fake.answers, f"PJSIP/{supervisor.pk}", False)
    desk = desk_for(ari_engine, agent)
    board = ari_engine.socket(Identity(role="supervisor", user=str(supervisor.pk), name="K", scope=["pup-a"]))
    until(board, "board")
    channel = place(line, ari_engine)
    identify(line, ari_engine, channel, caller_client)
    connect(line, ari_engine, desk, channel)
    board.send(json.dumps({"type": "supervise", "call": channel, "mode": "listen"}))
    assert until(board, "error")["code"] == "failed"
    assert ari_engine.runtime.calls[channel].supervisors == {}
    assert line.do(lambda: sorted(line.fake.channels)) == sorted(
        [channel, line.asked("POST", r"/ari/channels")[0].param("channelId")]
    )
    board.send(json.dumps({"type": "supervise", "call": "nonsense", "mode": "listen"}))
    assert until(board, "error")["code"] == "not-found"
    board.send(json.dumps({"type": "supervise", "call": channel, "mode": "shout"}))
    assert until(board, "error")["code"] == "unsupported"
    desk.send(json.dumps({"type": "hangup", "call": channel}))
    until_frame(desk, "completed", lambda f: f["call"] == channel)
    board.close()
    desk.close()

"""The Asterisk ARI adapter against a fake ARI server (``fake_ari``) on loopback (issue 16).

Each test runs its own event loop on a separate thread (``asyncio.run``), with bounded waits."""

from __future__ import annotations

import asyncio
import time
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from okienko.telephony.adapters.ari import AgentUnreachable, AriAdapter
from okienko.telephony.engine.adapter import BARGE, LISTEN, WHISPER, Unsupported
from tests.telephony.fake_ari import FakeAri, wav_bytes


def run(scenario: Callable[[], Awaitable[None]], timeout: float = 10.0) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=timeout)  # type: ignore[arg-type]


@dataclass
class Events:
    log: list[tuple[Any, ...]] = field(default_factory=list)

    async def incoming(self, call: str, number: str, caller: str) -> None:
        self.log.append(("incoming", call, number, caller))

    async def gone(self, call: str) -> None:
        self.log.append(("gone", call))

    async def recorded(self, call: str, path: Path, started: float, ended: float) -> None:
        self.log.append(("recorded", call, path, started, ended))

    async def failure(self, what: str, detail: str) -> None:
        self.log.append(("failure", what, detail))

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        return [entry for entry in self.log if entry[0] == kind]

    async def wait(self, check: Callable[[], Any], timeout: float = 1.5) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            await asyncio.sleep(0.01)
        raise AssertionError(f"timed out; events: {self.log}")


class Prompts:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.asked: list[tuple[str, str, int]] = []

    def audio_for(self, prompt_id: str, text: str, rate: int) -> Path:
        self.asked.append((prompt_id, text, rate))
        path = self.folder / f"{prompt_id}.wav"
        path.write_bytes(wav_bytes(0.1, rate))
        return path


@dataclass
class World:
    fake: FakeAri
    adapter: AriAdapter
    events: Events
    prompts: Prompts

    async def incoming_call(self, exten: str = "9510", caller: str = "48600100200") -> str:
        channel = self.fake.place_call(exten, caller)
        await self.events.wait(lambda: any(e[1] == channel for e in self.events.of("incoming")))
        await self.adapter.answer(channel)
        return channel


@asynccontextmanager
async def world(folder: Path, *, media_url: bool = True) -> AsyncIterator[World]:
    fake = FakeAri()
    base_url = await fake.start()
    events = Events()
    prompts = Prompts(folder)
    adapter = AriAdapter(
        base_url,
        "okienko",
        "okienko",
        "secret",
        events,
        prompts,
        agent_endpoint=lambda user: f"PJSIP/{user}",
        media_url=(lambda path: f"http://media.test/prompts/{path.name}") if media_url else None,
        answer_timeout=0.5,
        backoff=(0.05, 0.2),
    )
    await adapter.start()
    try:
        assert await adapter.wait_connected(2.0)
        yield World(fake, adapter, events, prompts)
    finally:
        await adapter.close()
        await fake.stop()


def test_incoming_call_is_reported_answered_and_hears_a_prompt(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = w.fake.place_call("9510", "48600100200")
            await w.events.wait(lambda: w.events.of("incoming"))
            assert w.events.of("incoming") == [("incoming", channel, "9510", "48600100200")]
            assert w.fake.channels[channel]["state"] == "Ring"  # answered only when told
            await w.adapter.answer(channel)
            assert w.fake.channels[channel]["state"] == "Up"
            started = time.monotonic()
            await w.adapter.play(channel, "welcome", "Dzień dobry")
            assert time.monotonic() - started >= w.fake.playback_seconds  # waited for PlaybackFinished
            assert w.prompts.asked == [("welcome", "Dzień dobry", 8000)]
            (request,) = w.fake.asked("POST", rf"/ari/channels/{channel}/play/.+")
            assert request.param("media") == "sound:http://media.test/prompts/welcome.wav"
            assert w.fake.events_of("PlaybackFinished")[0]["playback"]["media_uri"] == request.param("media")

    run(scenario)


def test_prompt_from_a_shared_folder_is_named_without_its_extension(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path, media_url=False) as w:
            channel = await w.incoming_call()
            await w.adapter.play(channel, "menu", "Naciśnij 1")
            (request,) = w.fake.asked("POST", rf"/ari/channels/{channel}/play/.+")
            assert request.param("media") == f"sound:{tmp_path / 'menu'}"

    run(scenario)


def test_digits_are_collected_with_a_terminator(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            w.fake.dtmf(channel, "123#9")
            assert await w.adapter.collect(channel, 1, 10, "#", 1.0, 1.0) == "123"
            assert await w.adapter.collect(channel, 1, 1, "#", 1.0, 1.0) == "9"  # typed ahead

    run(scenario)


def test_first_and_inter_digit_time_outs(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            started = time.monotonic()
            assert await w.adapter.collect(channel, 1, 4, "#", 0.2, 1.0) is None  # nothing pressed
            assert 0.18 <= time.monotonic() - started < 0.6

            async def press_later(digits: str, delay: float) -> None:
                await asyncio.sleep(delay)
                w.fake.dtmf(channel, digits)

            task = asyncio.ensure_future(press_later("7", 0.05))
            started = time.monotonic()
            assert await w.adapter.collect(channel, 1, 4, "#", 1.0, 0.2) == "7"  # inter-digit ran out
            assert 0.2 <= time.monotonic() - started < 0.7
            await task
            task = asyncio.ensure_future(press_later("5", 0.05))
            assert await w.adapter.collect(channel, 2, 4, "#", 1.0, 0.15) is None  # too few digits
            await task

    run(scenario)


def test_bridge_originates_the_agent_leg_and_joins_both(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            (originate,) = w.fake.asked("POST", "/ari/channels")
            assert originate.param("endpoint") == "PJSIP/u1"
            assert originate.param("app") == "okienko"
            assert originate.param("appArgs") == f"okienko-leg,agent,{channel}"
            assert originate.param("callerId") == "48600100200"
            leg = w.adapter.agent_leg(channel)
            assert leg == originate.param("channelId")
            bridge = w.fake.bridges[w.adapter.bridge_id(channel)]
            assert bridge["bridge_type"] == "mixing"
            assert bridge["channels"] == [channel, leg]
            assert len(w.events.of("incoming")) == 1  # the agent leg is not a call

    run(scenario)


def test_agent_who_does_not_answer_leaves_the_caller_waiting(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            w.fake.answers("PJSIP/u2", False)
            with pytest.raises(AgentUnreachable):
                await w.adapter.bridge(channel, "u2")
            assert channel in w.adapter.calls()
            assert w.adapter.agent_leg(channel) == ""
            assert not w.events.of("gone")
            w.fake.dtmf(channel, "1")
            assert await w.adapter.collect(channel, 1, 1, "", 0.5, 0.5) == "1"

    run(scenario)


def test_caller_hanging_up_while_the_agent_phone_rings(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            w.fake.answer_delay = 0.2
            bridging = asyncio.ensure_future(w.adapter.bridge(channel, "u1"))
            await asyncio.sleep(0.05)
            w.fake.hang_up(channel)
            await asyncio.wait_for(bridging, 1.0)  # returns without joining anyone
            await w.events.wait(lambda: not w.fake.channels)
            assert not w.fake.bridges
            assert w.events.of("gone") == [("gone", channel)]

    run(scenario)


def test_recording_comes_back_as_a_file_and_is_deleted_from_asterisk(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            await w.adapter.record(channel, True)
            (start,) = w.fake.asked("POST", r"/ari/bridges/.+/record")
            assert start.param("format") == "wav"
            name = start.param("name")
            await w.adapter.record(channel, False)
            assert w.fake.asked("POST", f"/ari/recordings/live/{name}/stop")
            (recorded,) = await w.events.wait(lambda: w.events.of("recorded"))
            _, call, path, began, ended = recorded
            assert call == channel
            assert began <= ended
            with wave.open(str(path), "rb") as audio:
                assert audio.getframerate() == 8000
                assert audio.getnframes() > 0
            path.unlink()
            await w.events.wait(lambda: w.fake.asked("DELETE", f"/ari/recordings/stored/{name}"))
            assert name not in w.fake.stored

    run(scenario)


def test_recording_ends_with_the_call(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.record(channel, True)  # before any agent: a bridge with the caller alone
            assert w.fake.bridges[w.adapter.bridge_id(channel)]["channels"] == [channel]
            w.fake.hang_up(channel)
            (recorded,) = await w.events.wait(lambda: w.events.of("recorded"))
            assert recorded[1] == channel
            recorded[2].unlink()

    run(scenario)


def test_listen_and_whisper_snoop_with_the_right_directions(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            with pytest.raises(Unsupported):
                await w.adapter.supervise(channel, "boss", WHISPER)  # nobody to whisper to yet
            await w.adapter.bridge(channel, "u1")
            agent_leg = w.adapter.agent_leg(channel)

            await w.adapter.supervise(channel, "boss", LISTEN)
            (snoop,) = w.fake.asked("POST", rf"/ari/channels/{channel}/snoop")
            assert (snoop.param("spy"), snoop.param("whisper")) == ("both", "none")
            assert snoop.param("app") == "okienko"
            supervisor_leg = w.fake.asked("POST", "/ari/channels")[-1]
            assert supervisor_leg.param("endpoint") == "PJSIP/boss"
            listening = [b for b in w.fake.bridges.values() if snoop.param("snoopId") in b["channels"]]
            assert listening[0]["channels"] == [snoop.param("snoopId"), supervisor_leg.param("channelId")]

            await w.adapter.supervise(channel, "boss", WHISPER)  # switching mode drops the listening
            assert snoop.param("snoopId") not in w.fake.channels
            (whisper,) = w.fake.asked("POST", rf"/ari/channels/{agent_leg}/snoop")
            assert (whisper.param("spy"), whisper.param("whisper")) == ("both", "out")

            await w.adapter.stop_supervising(channel, "boss")
            assert whisper.param("snoopId") not in w.fake.channels
            assert set(w.fake.channels) == {channel, agent_leg}
            assert len(w.fake.bridges) == 1
            assert len(w.events.of("incoming")) == 1

    run(scenario)


def test_barge_joins_the_calls_bridge(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            await w.adapter.supervise(channel, "boss", BARGE)
            supervisor_leg = w.fake.asked("POST", "/ari/channels")[-1].param("channelId")
            bridge = w.fake.bridges[w.adapter.bridge_id(channel)]
            assert bridge["channels"] == [channel, w.adapter.agent_leg(channel), supervisor_leg]
            assert not w.fake.asked("POST", r"/ari/channels/.+/snoop")
            w.fake.hang_up(supervisor_leg)  # the supervisor puts the phone down: the call goes on
            await asyncio.sleep(0.05)
            assert channel in w.adapter.calls()
            assert not w.events.of("gone")

    run(scenario)


def test_caller_hangs_up(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            leg = w.adapter.agent_leg(channel)
            collecting = asyncio.ensure_future(w.adapter.collect(channel, 1, 4, "#", 1.5, 1.5))
            await asyncio.sleep(0.02)
            started = time.monotonic()
            w.fake.hang_up(channel)
            assert await collecting is None
            assert time.monotonic() - started < 0.5
            await w.events.wait(lambda: w.events.of("gone"))
            await w.events.wait(lambda: leg not in w.fake.channels and not w.fake.bridges)
            assert w.events.of("gone") == [("gone", channel)]  # once, for three end events
            await w.adapter.play(channel, "bye", "Do widzenia")  # nothing to play to: returns
            assert not w.fake.asked("POST", rf"/ari/channels/{channel}/play/.+")

    run(scenario)


def test_runtime_hangs_up(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            await w.adapter.hangup(channel)
            assert w.fake.asked("DELETE", f"/ari/channels/{channel}")
            await w.events.wait(lambda: not w.fake.channels and not w.fake.bridges)
            await asyncio.sleep(0.05)
            assert not w.events.of("gone")  # the runtime knows already

    run(scenario)


def test_agent_hangs_up_their_phone(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            await w.adapter.bridge(channel, "u1")
            w.fake.hang_up(w.adapter.agent_leg(channel))
            await w.events.wait(lambda: w.events.of("gone"))
            assert w.events.of("gone") == [("gone", channel)]
            await w.events.wait(lambda: not w.fake.channels)

    run(scenario)


def test_transfer_continues_in_the_dialplan(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            with pytest.raises(ValueError, match="no number"):
                await w.adapter.transfer(channel, "abc")
            await w.adapter.transfer(channel, "+48 22 123 45 67")
            (request,) = w.fake.asked("POST", f"/ari/channels/{channel}/continue")
            assert request.param("context") == "okienko-transfer"
            assert request.param("extension") == "+48221234567"
            assert request.param("priority") == "1"
            assert channel in w.fake.channels
            assert channel not in w.fake.stasis
            assert w.adapter.calls() == []
            await asyncio.sleep(0.05)
            assert not w.events.of("gone")

    run(scenario)


def test_reconnect_reconciles_calls(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            ended = await w.incoming_call(caller="111")
            alive = await w.incoming_call(caller="222")
            w.fake.drop(down_for=0.3)
            await w.events.wait(lambda: not w.adapter.connected.is_set())
            w.fake.hang_up(ended)  # nobody listening: the events are lost, as with Asterisk
            assert not w.events.of("gone")
            await w.events.wait(lambda: w.adapter.connected.is_set(), timeout=1.5)
            await w.events.wait(lambda: w.events.of("gone"))
            assert w.events.of("gone") == [("gone", ended)]
            details = [entry[2] for entry in w.events.of("failure")]
            assert "lost" in details[0]
            await w.events.wait(lambda: len(w.events.of("failure")) == 2)
            assert "back" in w.events.of("failure")[1][2]
            assert w.adapter.calls() == [alive]
            w.fake.dtmf(alive, "42#")
            assert await w.adapter.collect(alive, 1, 4, "#", 1.0, 1.0) == "42"
            await w.adapter.play(alive, "after", "Już jesteśmy")

    run(scenario)


def test_server_error_during_play_ends_the_call_cleanly(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            channel = await w.incoming_call()
            w.fake.fail(500, r"POST /ari/channels/.+/play/.+", count=1)
            started = time.monotonic()
            await w.adapter.play(channel, "welcome", "Dzień dobry")
            assert time.monotonic() - started < 1.0
            await w.events.wait(lambda: w.events.of("gone"))
            assert w.events.of("gone") == [("gone", channel)]
            assert "500" in w.events.of("failure")[0][2]
            assert await w.adapter.collect(channel, 1, 4, "#", 1.0, 1.0) is None
            await w.events.wait(lambda: channel not in w.fake.channels)  # hung up on Asterisk too

    run(scenario)


def test_leg_left_over_from_an_earlier_run_is_hung_up_not_reported(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            orphan = w.fake.place_call("s", "", args=("okienko-leg", "agent", "1.1"))
            await w.events.wait(lambda: orphan not in w.fake.channels)
            assert not w.events.of("incoming")

    run(scenario)


def test_reconciliation_waits_for_rest_to_answer_again(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            ended = await w.incoming_call()
            w.fake.fail(503, "GET /ari/channels", count=2)  # the first reconciliations fail
            w.fake.drop()
            await w.events.wait(lambda: not w.adapter.connected.is_set())
            w.fake.hang_up(ended)
            await w.events.wait(lambda: w.events.of("gone"), timeout=1.8)
            assert len(w.fake.asked("GET", "/ari/channels")) == 3
            assert w.adapter.connected.is_set()
            assert [entry[2].split(" ")[-1] for entry in w.events.of("failure")] == ["reconnecting", "back"]

    run(scenario)


def test_wrong_credentials_never_connect_and_are_reported(tmp_path: Path) -> None:
    async def scenario() -> None:
        fake = FakeAri()
        base_url = await fake.start()
        events = Events()
        adapter = AriAdapter(
            base_url + "/ari/",
            "okienko",
            "okienko",
            "wrong",
            events,
            Prompts(tmp_path),
            agent_endpoint=lambda user: f"PJSIP/{user}",
            backoff=(0.05, 0.1),
        )
        await adapter.start()
        try:
            assert not await adapter.wait_connected(0.4)
            (failure,) = events.of("failure")
            assert failure[1] == "ari"
            assert "lost" in failure[2]
            assert len(fake.requests) == 0  # no REST without a connection
        finally:
            await adapter.close()
            await fake.stop()

    run(scenario)

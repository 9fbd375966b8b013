"""Concurrent calls through the embedded SIP line, measured where it matters: at the callers.

Three processes on loopback, each with its own pjsua2 endpoint:

- the **engine** (``SipAdapter``, pinned to one core with ``taskset`` when available) answers,
  plays a synthesised Polish prompt, waits for the caller's key (RFC 4733) like an IVR menu, then
  — with ``--agents`` — rings a consultant's phone and bridges the two through its conference
  bridge (every bridged conversation takes two of its call slots: ADR 0060);
- the **agents** answer by themselves and send a steady tone (their voice);
- the **callers** dial at once, press 1, stay on the line, and report what they received: RTP
  packets, loss, jitter (pjmedia's RTCP receive statistics) and gaps (drop-outs).

    .venv/bin/python bench/sip_calls.py --calls 20                 # 20 callers in the IVR
    .venv/bin/python bench/sip_calls.py --calls 16 --agents        # 16 conversations with agents

The engine here runs the adapter with a scripted IVR (prompt, one key, bridge) and no database:
the SIPp test in ``tests/telephony/test_sip_load.py`` runs 20 calls through the real IVR.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

ENGINE_PORT, AGENT_PORT, CALLER_PORT = 5160, 5170, 5180
PROMPT = (
    "Dzień dobry, dodzwoniłeś się do infolinii wojewódzkiego urzędu pracy. "
    "Aby porozmawiać z konsultantem swojego powiatowego urzędu, naciśnij jeden."
)


def _endpoint(pj: Any, port: int, max_calls: int = 32) -> Any:
    endpoint = pj.Endpoint()
    endpoint.libCreate()
    config = pj.EpConfig()
    ua = config.uaConfig
    ua.threadCnt = 0
    ua.mainThreadOnly = True
    ua.maxCalls = max_calls
    config.uaConfig = ua
    log = config.logConfig
    log.level = 0
    log.consoleLevel = 0
    config.logConfig = log
    media = config.medConfig
    media.clockRate = 8000
    media.sndClockRate = 8000
    media.threadCnt = 0
    media.ecTailLen = 0
    config.medConfig = media
    endpoint.libInit(config)
    transport = pj.TransportConfig()
    transport.port = port
    transport.boundAddress = "127.0.0.1"
    endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    endpoint.libStart()
    endpoint.audDevManager().setNullDev()
    return endpoint


def _account(pj: Any, port: int, user: str, base: type) -> Any:
    config = pj.AccountConfig()
    config.idUri = f"sip:{user}@127.0.0.1:{port}"
    media = config.mediaConfig
    transport = media.transportConfig
    transport.boundAddress = "127.0.0.1"
    transport.port = port * 10 % 60000
    transport.portRange = 400
    media.transportConfig = transport
    config.mediaConfig = media
    account = base()
    account.create(config, True)
    return account


# -- the agents: answer, send a tone -----------------------------------------------------------


def run_agents(tone: str, seconds: float) -> None:
    import pjsua2 as pj  # type: ignore[import-untyped]

    endpoint = _endpoint(pj, AGENT_PORT)
    calls: list[Any] = []
    players: list[Any] = []

    class Call(pj.Call):  # type: ignore[misc]
        def onCallMediaState(self, prm: Any) -> None:
            info = self.getInfo()
            for media in info.media:
                if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    player = pj.AudioMediaPlayer()
                    player.createPlayer(tone, 0)
                    player.startTransmit(self.getAudioMedia(media.index))
                    players.append(player)

    class Account(pj.Account):  # type: ignore[misc]
        def onIncomingCall(self, prm: Any) -> None:
            call = Call(self, prm.callId)
            op = pj.CallOpParam()
            op.statusCode = 200
            call.answer(op)
            calls.append(call)

    account = _account(pj, AGENT_PORT, "agent", Account)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        endpoint.libHandleEvents(5)
    endpoint.hangupAllCalls()
    for _ in range(50):
        endpoint.libHandleEvents(10)
    players.clear()
    calls.clear()
    del account
    endpoint.libDestroy()


# -- the callers: dial, press 1, stay, report ---------------------------------------------------


def run_callers(count: int, hold: float) -> dict[str, Any]:
    import pjsua2 as pj

    endpoint = _endpoint(pj, CALLER_PORT)

    class Call(pj.Call):  # type: ignore[misc]
        confirmed = 0.0
        ended = False

        def onCallState(self, prm: Any) -> None:
            state = self.getInfo().state
            if state == pj.PJSIP_INV_STATE_CONFIRMED and not self.confirmed:
                self.confirmed = time.monotonic()
            elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self.ended = True

    account = _account(pj, CALLER_PORT, "caller", pj.Account)
    calls: list[Any] = []
    for n in range(count):
        call = Call(account)
        call.makeCall(f"sip:9524@127.0.0.1:{ENGINE_PORT}", pj.CallOpParam(True))
        calls.append(call)
        end = time.monotonic() + 0.05
        while time.monotonic() < end:
            endpoint.libHandleEvents(5)
        del n
    pressed: set[int] = set()
    samples: dict[int, list[tuple[float, int]]] = {i: [] for i in range(count)}
    last: dict[int, dict[str, Any]] = {}  # the latest receive statistics of each live call
    started = time.monotonic()
    while time.monotonic() - started < hold + 6:
        endpoint.libHandleEvents(5)
        now = time.monotonic()
        for index, call in enumerate(calls):
            if call.ended or not call.confirmed:  # never touch a finished call: pjsua asserts
                continue
            if index not in pressed and now - call.confirmed > 4.0:
                call.dialDtmf("1")
                pressed.add(index)
            if samples[index] and now - samples[index][-1][0] < 0.5:
                continue
            try:
                stat = call.getStreamStat(0).rtcp.rxStat
            except pj.Error:
                continue
            jitter = stat.jitterUsec
            last[index] = {
                "packets": int(stat.pkt),
                "lost": int(stat.loss),
                "jitter_mean_ms": jitter.mean / 1000,
                "jitter_max_ms": jitter.max / 1000,
            }
            samples[index].append((now, int(stat.pkt)))
    results = []
    for index, call in enumerate(calls):
        row: dict[str, Any] = {"call": index, "answered": bool(call.confirmed), "dropped": call.ended}
        row.update(last.get(index, {"packets": 0, "lost": 0, "jitter_mean_ms": 0.0, "jitter_max_ms": 0.0}))
        # the longest stretch without a new packet, from the half-second samples (a drop-out)
        flat, longest = 0.0, 0.0
        series = samples[index]
        for (t0, p0), (t1, p1) in itertools.pairwise(series):
            flat = flat + (t1 - t0) if p1 == p0 else 0.0
            longest = max(longest, flat)
        row["longest_silence_s"] = round(longest, 2)
        results.append(row)
    endpoint.hangupAllCalls()
    for _ in range(100):
        endpoint.libHandleEvents(10)
    calls.clear()  # pjsua2 objects go before the library does (the loop's variable too)
    del account, call
    endpoint.libDestroy()
    return {"calls": results}


# -- the engine: the adapter with a scripted IVR ------------------------------------------------


def run_engine(prompt: str, agents: bool, seconds: float) -> None:
    from okienko.telephony.adapters.sip import SipAdapter

    class Prompts:
        def audio_for(self, prompt_id: str, text: str, rate: int) -> Path:
            return Path(prompt)

    class Events:
        adapter: SipAdapter

        async def incoming(self, call: str, number: str, caller: str) -> None:
            await self.adapter.answer(call)
            await self.adapter.play(call, "welcome", PROMPT)
            digits = await self.adapter.collect(call, 1, 1, "", 10, 3)
            if agents and digits == "1":
                await self.adapter.bridge(call, call)

        async def gone(self, call: str) -> None:
            return

        async def recorded(self, call: str, path: Path, started: float, ended: float) -> None:
            return

        async def failure(self, what: str, detail: str) -> None:
            print(f"engine failure {what}: {detail}", file=sys.stderr)

    async def main() -> None:
        events = Events()
        counter = iter(range(10_000))
        adapter = SipAdapter(
            events=events,
            prompts=Prompts(),
            agent_endpoint=lambda _agent: f"sip:agent{next(counter)}@127.0.0.1:{AGENT_PORT}",
            host="127.0.0.1",
            port=ENGINE_PORT,
            record_dir=Path(tempfile.mkdtemp()),
            max_calls=128,
        )
        events.adapter = adapter
        await adapter.start()
        await asyncio.sleep(seconds)
        await adapter.stop()

    asyncio.run(main())


def _prompt(folder: Path) -> Path:
    raw, wav = folder / "prompt-raw.wav", folder / "prompt.wav"
    subprocess.run(["espeak-ng", "-v", "pl", "-s", "160", "-w", str(raw), PROMPT], check=True, timeout=30)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(wav)], check=True, timeout=30)
    return wav


def _tone(folder: Path, seconds: float) -> Path:
    tone = folder / "tone.wav"
    synth = ["synth", str(seconds), "sine", "440", "vol", "0.3"]
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(tone), *synth],
        check=True,
        timeout=30,
    )
    return tone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--agents", action="store_true", help="bridge each caller to an agent's phone")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds each caller stays after answering")
    parser.add_argument("--role", choices=["engine", "agents", "callers"], help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "engine":
        run_engine(args.file, args.agents, args.seconds)
        return
    if args.role == "agents":
        run_agents(args.file, args.seconds)
        return
    if args.role == "callers":
        print(json.dumps(run_callers(args.calls, args.hold)))
        return

    folder = Path(tempfile.mkdtemp(prefix="okienko-sip-bench-"))
    prompt = _prompt(folder)
    total = args.hold + 20
    me = [sys.executable, str(Path(__file__).resolve())]
    pin0 = ["taskset", "-c", "0"] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []
    pin1 = ["taskset", "-c", "1"] if pin0 else []
    engine_args = ["--role", "engine", "--file", str(prompt), "--seconds", str(total)]
    engine = subprocess.Popen([*pin0, *me, *engine_args, *(["--agents"] if args.agents else [])])
    agents = None
    if args.agents:
        tone = _tone(folder, total)
        agents = subprocess.Popen([*pin1, *me, "--role", "agents", "--file", str(tone), "--seconds", str(total)])
    time.sleep(2.0)
    began = time.time()
    caller_args = ["--role", "callers", "--calls", str(args.calls), "--hold", str(args.hold)]
    out = subprocess.run([*pin1, *me, *caller_args], capture_output=True, text=True, timeout=total + 60, check=True)
    for process in (engine, agents):
        if process is not None:
            process.terminate()
            process.wait(15)
    rows = json.loads(out.stdout.strip().splitlines()[-1])["calls"]
    answered = [r for r in rows if r["answered"]]
    received = [r for r in answered if r["packets"]]
    loss = sum(r["lost"] for r in received) / max(1, sum(r["packets"] + r["lost"] for r in received))
    jitter_means = [r["jitter_mean_ms"] for r in received]
    summary = {
        "calls": args.calls,
        "agents": args.agents,
        "answered": len(answered),
        "dropped_early": sum(1 for r in answered if r["dropped"]),
        "packets_per_call_median": statistics.median(r["packets"] for r in received) if received else 0,
        "loss_ratio": round(loss, 5),
        "jitter_mean_ms_median": round(statistics.median(jitter_means), 2) if jitter_means else None,
        "jitter_max_ms_worst": round(max(r["jitter_max_ms"] for r in received), 2) if received else None,
        "longest_silence_s_worst": max((r["longest_silence_s"] for r in received), default=None),
        "engine_pinned_to_one_core": bool(pin0),
        "seconds": round(time.time() - began, 1),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

"""The embedded SIP adapter: the engine answers real SIP calls itself, through pjsua2 (pjproject's
Python binding), with no PBX — for a small office, a pilot, or tests with real SIP phones.

Optional: ``pip install okienko[sip]`` brings the ``pjsua2-python`` wheel. pjproject is licensed
under the GPL (or commercially by Teluu); an installation that distributes Okienko with it must
honour that licence — see ``docs/telephony.md``. Production call centres use Asterisk (``ari``).

pjsua2 is not thread-safe towards Python and calls back from the thread that polls it, so every
pjsua2 object lives on one dedicated thread (:class:`_PjThread`): the asyncio side sends it work
(``run``) and receives its callbacks through ``loop.call_soon_threadsafe``.

What it does: answers calls to any number at its address (the request URI's user part is the
entry number), plays WAV prompts (8 kHz; a key pressed cuts a prompt short, the key is kept),
receives DTMF by RFC 4733 and SIP INFO, rings the agent's SIP phone and bridges the two through
pjmedia's conference bridge, records both parties into one WAV, lets a supervisor listen in,
whisper (to the agent) or barge, and transfers by REFER.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import queue
import re
import secrets
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okienko.telephony.engine.adapter import (
    AUDIO,
    BARGE,
    LISTEN,
    RECORD,
    WHISPER,
    AdapterEvents,
    PromptSource,
    Unsupported,
    collect_digits,
)

log = logging.getLogger(__name__)

CLOCK_RATE = 8000  # the conference bridge's rate: telephone audio, least work per call
RING_TIMEOUT = 20.0  # seconds an agent's or supervisor's phone may ring before the bridge fails
MEDIA_TIMEOUT = 5.0  # seconds from answer to active media
MAX_PROMPT_SECONDS = 600.0
_USER = re.compile(r"sips?:([^@;>]+)@")


class SipUnavailable(RuntimeError):
    """pjsua2 is not installed (``pip install okienko[sip]``)."""


def user_part(uri: str) -> str:
    """``9524`` of ``"Name" <sip:9524@10.0.0.1;transport=udp>``."""
    match = _USER.search(uri)
    return match.group(1) if match else ""


def _wav_complete(path: Path) -> bool:
    """The RIFF header's length is filled in (pjmedia writes it when the recorder is destroyed)."""
    try:
        with path.open("rb") as head:
            riff = head.read(8)
    except OSError:
        return False
    return len(riff) == 8 and int.from_bytes(riff[4:8], "little") > 0


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as sound:
        return sound.getnframes() / float(sound.getframerate() or 1)


@dataclass
class _Leg:
    """One SIP call (the caller's, an agent's or a supervisor's) as the asyncio side sees it."""

    id: str
    pj: Any = None  # the pjsua2 Call (touched only on the pj thread)
    digits: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    ended: bool = False
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    media: asyncio.Event = field(default_factory=asyncio.Event)
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    keyed: asyncio.Event = field(default_factory=asyncio.Event)  # a key came (cuts a prompt short)
    role: str = "caller"  # caller | agent | supervisor
    parent: str = ""  # the caller's leg an agent or supervisor leg belongs to
    agent: str = ""  # caller legs: the agent leg they are bridged to
    supervisors: dict[str, tuple[str, str]] = field(default_factory=dict)  # supervisor → (leg, mode)
    recorder: str | None = None  # the key of its recorder in the adapter's pj-thread objects
    record_path: Path | None = None
    record_started: float = 0.0


class _PjThread(threading.Thread):
    """Owns pjsua2: creates the endpoint, polls it, runs the work sent to it."""

    def __init__(self) -> None:
        super().__init__(name="pjsua2", daemon=True)
        self.work: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None] = queue.Queue()
        self.stopping = False

    def run(self) -> None:
        while not self.stopping:
            while True:  # all the work sent meanwhile, then the network and timers
                try:
                    item = self.work.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    continue
                function, future = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(function())
                    except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side
                        future.set_exception(exc)
            if not self.poll():
                time.sleep(0.002)

    def poll(self) -> bool:  # replaced once the endpoint exists (polls for up to 2 ms)
        return False

    def call(self, function: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.work.put((function, future))
        return future


class SipAdapter:
    """Real SIP calls through pjsua2 (see the module's docstring)."""

    capabilities = frozenset({AUDIO, RECORD, LISTEN, WHISPER, BARGE})

    def __init__(
        self,
        *,
        events: AdapterEvents,
        prompts: PromptSource | None,
        agent_endpoint: Callable[[str], str],
        host: str = "127.0.0.1",
        port: int = 5060,
        public_host: str = "",
        record_dir: Path,
        transfer_uri: str = "sip:{number}@{host}",
        log_level: int = 1,
        rtp_port: int = 0,
        max_calls: int = 128,
    ) -> None:
        self.events = events
        self.prompts = prompts
        self.agent_endpoint = agent_endpoint
        self.host, self.port, self.public_host = host, port, public_host or host
        self.record_dir = record_dir
        self.transfer_uri = transfer_uri
        self.log_level = log_level
        self.max_calls = max_calls
        self.rtp_port = rtp_port or 40000 + port % 1000 * 20  # RTP ports start here, two per call
        self.legs: dict[str, _Leg] = {}
        self._ids = itertools.count(1)
        self._thread: _PjThread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pj: Any = None
        self._endpoint: Any = None
        self._account: Any = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._objects: dict[str, Any] = {}  # players and recorders, touched only on the pj thread

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            import pjsua2  # type: ignore[import-untyped]  # a binary wheel without type hints
        except ImportError as exc:
            raise SipUnavailable("pjsua2 is not installed: pip install 'okienko[sip]'") from exc
        self._pj = pjsua2
        self._loop = asyncio.get_running_loop()
        self.record_dir.mkdir(parents=True, exist_ok=True)
        self._thread = _PjThread()
        self._thread.start()
        await self._run(self._create)

    async def stop(self) -> None:
        if self._thread is None:
            return
        with contextlib.suppress(Exception):
            await self._run(self._destroy)
        self._thread.stopping = True
        await asyncio.to_thread(self._thread.join, 5.0)
        self._thread = None

    async def _run(self, function: Callable[[], Any]) -> Any:
        if self._thread is None:
            raise RuntimeError("the SIP adapter is not started")
        return await asyncio.wrap_future(self._thread.call(function))

    def _spawn(self, awaitable: Any) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _post(self, function: Callable[..., Any], *args: Any) -> None:
        """From the pj thread: run ``function`` on the asyncio loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(function, *args)

    # -- on the pj thread ----------------------------------------------------------------------

    def _create(self) -> None:
        pj = self._pj
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        # SWIG hands out copies of nested structures: change them, then assign them back.
        ua = config.uaConfig
        ua.threadCnt = 0  # we poll from our own thread
        # Callbacks raised on pjmedia's own threads (DTMF from the media clock) are queued and
        # run here, in libHandleEvents: Python must never be entered from a thread it does not know.
        ua.mainThreadOnly = True
        ua.userAgent = "Okienko"
        ua.maxCalls = self.max_calls  # callers + agents' and supervisors' legs
        config.uaConfig = ua
        logging_config = config.logConfig
        logging_config.level = self.log_level
        logging_config.consoleLevel = self.log_level
        config.logConfig = logging_config
        media = config.medConfig
        media.clockRate = CLOCK_RATE
        media.sndClockRate = CLOCK_RATE
        media.noVad = True
        media.ecTailLen = 0  # no echo canceller: nothing is played through a speaker
        media.maxMediaPorts = self.max_calls * 2 + 32  # + players and recorders
        media.threadCnt = 0  # RTP is polled on our thread too
        config.medConfig = media
        endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.port
        transport.boundAddress = self.host
        transport.publicAddress = self.public_host
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        endpoint.libStart()
        endpoint.audDevManager().setNullDev()  # no sound card: the conference bridge runs on its own clock
        adapter = self

        class Account(pj.Account):  # type: ignore[misc, name-defined]  # pjsua2 has no stubs
            def onIncomingCall(self, prm: Any) -> None:
                adapter._incoming(self, prm.callId)

        account_config = pj.AccountConfig()
        account_config.idUri = f"sip:okienko@{self.public_host}:{self.port}"
        account_config.sipConfig.proxies.clear()
        # RTP on the same address as SIP (pjsua would otherwise announce the machine's default one)
        account_config.mediaConfig.transportConfig.boundAddress = self.host
        account_config.mediaConfig.transportConfig.publicAddress = self.public_host
        account_config.mediaConfig.transportConfig.port = self.rtp_port
        account_config.mediaConfig.transportConfig.portRange = 2000
        self._account = Account()
        self._account.create(account_config, True)
        self._endpoint = endpoint
        assert self._thread is not None
        self._thread.poll = lambda: endpoint.libHandleEvents(2) >= 0  # type: ignore[method-assign]

    def _destroy(self) -> None:
        if self._endpoint is None:
            return
        self._endpoint.hangupAllCalls()
        self._objects.clear()
        for leg in self.legs.values():
            leg.pj = None
        # the conference bridge removes ports asynchronously: let it, before tearing it down
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            self._endpoint.libHandleEvents(10)
        self._account = None
        self._thread.poll = lambda: False  # type: ignore[method-assign, union-attr]
        self._endpoint.libDestroy()
        self._endpoint = None

    def _call_class(self) -> Any:
        pj, adapter = self._pj, self

        class Call(pj.Call):  # type: ignore[misc, name-defined]
            leg_id = ""

            def onCallState(self, prm: Any) -> None:
                info = self.getInfo()
                if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
                    adapter._post(adapter._on_answered, self.leg_id)
                elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                    adapter._post(adapter._on_disconnected, self.leg_id)

            def onCallMediaState(self, prm: Any) -> None:
                info = self.getInfo()
                for media in info.media:
                    if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                        adapter._post(adapter._on_media, self.leg_id)

            def onDtmfDigit(self, prm: Any) -> None:  # RFC 4733 and SIP INFO both land here
                adapter._post(adapter._on_digit, self.leg_id, str(prm.digit))

        return Call

    def _incoming(self, account: Any, pj_call_id: int) -> None:
        call = self._call_class()(account, pj_call_id)
        info = call.getInfo()
        leg = _Leg(id=f"sip-{int(time.time())}-{next(self._ids)}-{secrets.token_hex(3)}", pj=call)
        call.leg_id = leg.id
        ringing = self._pj.CallOpParam()
        ringing.statusCode = 180
        call.answer(ringing)
        self._post(self._on_incoming, leg, user_part(info.localUri), user_part(info.remoteUri))

    def _audio(self, leg: _Leg) -> Any:
        """The leg's audio in the conference bridge (None before media is up or after the end)."""
        if leg.pj is None:
            return None
        try:
            info = leg.pj.getInfo()
            for media in info.media:
                if media.type == self._pj.PJMEDIA_TYPE_AUDIO and media.status == self._pj.PJSUA_CALL_MEDIA_ACTIVE:
                    return leg.pj.getAudioMedia(media.index)
        except self._pj.Error:
            return None
        return None

    def _connect(self, source: _Leg, sink: _Leg | Any, on: bool = True) -> None:
        a = self._audio(source)
        b = self._audio(sink) if isinstance(sink, _Leg) else sink
        if a is None or b is None:
            return
        with contextlib.suppress(self._pj.Error):
            if on:
                a.startTransmit(b)
            else:
                a.stopTransmit(b)

    # -- callbacks, on the asyncio loop ---------------------------------------------------------

    def _on_incoming(self, leg: _Leg, number: str, caller: str) -> None:
        self.legs[leg.id] = leg
        self._spawn(self.events.incoming(leg.id, number, caller))

    def _on_answered(self, leg_id: str) -> None:
        leg = self.legs.get(leg_id)
        if leg is not None:
            leg.answered.set()

    def _on_media(self, leg_id: str) -> None:
        leg = self.legs.get(leg_id)
        if leg is not None:
            leg.media.set()

    def _on_digit(self, leg_id: str, digit: str) -> None:
        leg = self.legs.get(leg_id)
        if leg is not None and leg.role == "caller" and digit and digit in "0123456789*#":
            leg.digits.put_nowait(digit)
            leg.keyed.set()

    def _on_disconnected(self, leg_id: str) -> None:
        leg = self.legs.get(leg_id)
        if leg is None or leg.ended:
            return
        leg.ended = True
        leg.gone.set()
        leg.digits.put_nowait("")  # wakes a collect in progress
        if leg.role == "caller":
            self._spawn(self._caller_gone(leg))
        elif leg.role == "agent" and leg.parent in self.legs:
            # the agent put the phone down: the conversation is over for the caller too
            self._spawn(self.hangup(leg.parent))
            self._spawn(self.events.gone(leg.parent))
        self._forget_later(leg)

    async def _caller_gone(self, leg: _Leg) -> None:
        await self._finish_recording(leg)
        for other in [leg.agent, *(sup for sup, _mode in leg.supervisors.values())]:
            if other:
                await self._hangup_leg(other)
        await self.events.gone(leg.id)

    def _forget_later(self, leg: _Leg) -> None:
        def forget() -> None:
            gone = self.legs.pop(leg.id, None)
            if gone is not None and self._thread is not None:
                self._thread.call(lambda: setattr(gone, "pj", None))  # pjsua2 objects die on their thread

        if self._loop is not None:
            self._loop.call_later(30.0, forget)

    # -- the Adapter protocol ------------------------------------------------------------------

    def _leg(self, call: str) -> _Leg:
        leg = self.legs.get(call)
        if leg is None:
            raise KeyError(call)
        return leg

    async def answer(self, call: str) -> None:
        leg = self._leg(call)

        def answer() -> None:
            op = self._pj.CallOpParam()
            op.statusCode = 200
            leg.pj.answer(op)

        await self._run(answer)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(leg.media.wait(), MEDIA_TIMEOUT)

    async def play(self, call: str, prompt_id: str, text: str) -> None:
        leg = self.legs.get(call)
        if leg is None or leg.ended or self.prompts is None or not text:
            return
        try:
            path = await asyncio.to_thread(self.prompts.audio_for, prompt_id, text, CLOCK_RATE)
            seconds = min(wav_seconds(path), MAX_PROMPT_SECONDS)
        except Exception:  # a prompt that cannot be rendered is skipped, the call goes on
            log.warning("no audio for prompt %r on %s", prompt_id, call, exc_info=True)
            return

        key = f"play-{leg.id}-{next(self._ids)}"

        def start() -> bool:
            sink = self._audio(leg)
            if sink is None:
                return False
            player = self._pj.AudioMediaPlayer()
            player.createPlayer(str(path), self._pj.PJMEDIA_FILE_NO_LOOP)
            player.startTransmit(sink)
            self._objects[key] = player  # held (and destroyed) only on the pj thread
            return True

        if not await self._run(start):
            return
        leg.keyed.clear()
        if leg.digits.empty():
            waits = [asyncio.ensure_future(e.wait()) for e in (leg.keyed, leg.gone)]
            _done, pending = await asyncio.wait(waits, timeout=seconds + 0.1, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()

        def stop() -> None:
            player = self._objects.pop(key, None)
            sink = self._audio(leg)
            with contextlib.suppress(self._pj.Error):
                if sink is not None and player is not None:
                    player.stopTransmit(sink)
            del player  # the last reference: pjsua2 destroys the player here, on its thread

        await self._run(stop)

    async def collect(
        self,
        call: str,
        min_digits: int,
        max_digits: int,
        terminator: str,
        first_timeout: float,
        inter_digit_timeout: float,
    ) -> str | None:
        leg = self.legs.get(call)
        if leg is None:
            return None
        return await collect_digits(
            leg.digits, lambda: leg.ended, min_digits, max_digits, terminator, first_timeout, inter_digit_timeout
        )

    async def _originate(self, uri: str, role: str, parent: str) -> _Leg:
        """Ring ``uri`` and wait until it answers with media (raises TimeoutError or LookupError)."""
        if not uri.startswith(("sip:", "sips:")):
            raise LookupError(f"not a SIP address: {uri!r}")
        leg = _Leg(id=f"{parent}-{role}-{secrets.token_hex(3)}", role=role, parent=parent)
        self.legs[leg.id] = leg

        def make() -> None:
            call = self._call_class()(self._account)
            call.leg_id = leg.id
            leg.pj = call
            call.makeCall(uri, self._pj.CallOpParam(True))

        try:
            await self._run(make)
            await asyncio.wait_for(leg.answered.wait(), RING_TIMEOUT)
            await asyncio.wait_for(leg.media.wait(), MEDIA_TIMEOUT)
        except BaseException:
            await self._hangup_leg(leg.id)
            raise
        if leg.ended:
            raise LookupError(f"{uri} hung up at once")
        return leg

    async def bridge(self, call: str, agent: str) -> None:
        caller = self._leg(call)
        leg = await self._originate(self.agent_endpoint(agent), "agent", call)
        if caller.ended:
            await self._hangup_leg(leg.id)
            return
        caller.agent = leg.id

        def join() -> None:
            self._connect(caller, leg)
            self._connect(leg, caller)

        await self._run(join)

    async def transfer(self, call: str, number: str) -> None:
        leg = self._leg(call)
        uri = (
            number if number.startswith(("sip:", "sips:")) else self.transfer_uri.format(number=number, host=self.host)
        )

        def refer() -> None:
            leg.pj.xfer(uri, self._pj.CallOpParam(True))

        await self._run(refer)

    async def hangup(self, call: str) -> None:
        leg = self.legs.get(call)
        if leg is None:
            return
        await self._finish_recording(leg)
        for other in [leg.agent, *(sup for sup, _mode in leg.supervisors.values())]:
            if other:
                await self._hangup_leg(other)
        await self._hangup_leg(call)

    async def _hangup_leg(self, leg_id: str) -> None:
        leg = self.legs.get(leg_id)
        if leg is None or leg.pj is None or leg.ended:
            return
        leg.ended = True
        leg.digits.put_nowait("")

        def drop() -> None:
            with contextlib.suppress(self._pj.Error):
                leg.pj.hangup(self._pj.CallOpParam(True))

        with contextlib.suppress(Exception):
            await self._run(drop)
        self._forget_later(leg)

    async def record(self, call: str, start: bool) -> None:
        leg = self._leg(call)
        if not start:
            await self._finish_recording(leg)
            return
        if leg.recorder is not None:
            return
        path = self.record_dir / f"{call}.wav"
        agent = self.legs.get(leg.agent) if leg.agent else None

        key = f"record-{leg.id}"

        def begin() -> None:
            recorder = self._pj.AudioMediaRecorder()
            recorder.createRecorder(str(path))  # raises when the disk is full or not writable
            self._connect(leg, recorder)
            if agent is not None:
                self._connect(agent, recorder)
            self._objects[key] = recorder

        try:
            await self._run(begin)
        except self._pj.Error as exc:
            raise OSError(f"cannot record to {path}: {getattr(exc, 'reason', exc)}") from exc
        leg.recorder, leg.record_path, leg.record_started = key, path, time.time()

    async def _finish_recording(self, leg: _Leg) -> None:
        if leg.recorder is None or leg.record_path is None:
            return
        key, path, started = str(leg.recorder), leg.record_path, leg.record_started
        leg.recorder, leg.record_path = None, None

        def close() -> None:
            recorder = self._objects.pop(key, None)
            del recorder  # destroying the recorder writes the WAV header's lengths

        await self._run(close)
        ended = time.time()
        # pjmedia removes the recorder from the conference bridge on its next clock tick and only
        # then writes the WAV header's lengths: wait for them (bounded).
        for _attempt in range(100):
            if _wav_complete(path):
                break
            await asyncio.sleep(0.02)
        await self.events.recorded(leg.id, path, started, ended)

    async def supervise(self, call: str, supervisor: str, mode: str) -> None:
        if mode not in (LISTEN, WHISPER, BARGE):
            raise Unsupported(mode)
        caller = self._leg(call)
        agent = self.legs.get(caller.agent) if caller.agent else None
        if agent is None:
            raise LookupError("the call is not connected to an agent")
        await self.stop_supervising(call, supervisor)
        leg = await self._originate(self.agent_endpoint(supervisor), "supervisor", call)
        caller.supervisors[supervisor] = (leg.id, mode)

        def join() -> None:
            self._connect(caller, leg)  # the supervisor hears both parties…
            self._connect(agent, leg)
            if mode in (WHISPER, BARGE):
                self._connect(leg, agent)  # …the agent hears the supervisor…
            if mode == BARGE:
                self._connect(leg, caller)  # …and, barging in, so does the caller

        await self._run(join)

    async def stop_supervising(self, call: str, supervisor: str) -> None:
        caller = self.legs.get(call)
        if caller is None:
            return
        held = caller.supervisors.pop(supervisor, None)
        if held is not None:
            await self._hangup_leg(held[0])

"""Asterisk through ARI (the Asterisk REST Interface): the production adapter (issue 16, ADR 0059).

The dialplan only hands calls to the Stasis application (``Stasis(okienko)``); everything else is
done here over ARI's REST resources (``httpx``) while its events arrive on one WebSocket
(``websockets``):

- ``StasisStart`` of a caller's channel → ``events.incoming(channel id, dialled extension, caller
  number)``; channels this adapter originated itself (agent and supervisor legs, snoop channels)
  carry the app argument ``okienko-leg`` and are never reported as calls.
- ``ChannelDtmfReceived`` → the digit queue that ``collect`` reads (SimAdapter's timing);
  ``StasisEnd`` / ``ChannelHangupRequest`` / ``ChannelDestroyed`` → ``events.gone`` (not for a call
  the runtime itself hung up or transferred); ``PlaybackFinished`` ends ``play``;
  ``RecordingFinished`` → the stored file is fetched into a temporary file,
  ``events.recorded(...)``, and deleted from Asterisk.
- The events connection is re-established with capped exponential back-off; once back, ``GET
  /channels`` tells which calls survived (those that did not are reported gone) and
  ``events.failure("ari", …)`` tells staff both when it was lost and when it is back.
- A REST request that fails during a call ends the call cleanly: ``events.failure`` and
  ``events.gone`` are reported, ``play`` returns, ``collect`` returns None, later operations on it
  do nothing.

Prompts reach Asterisk as ``sound:<URI>``: with ``media_url`` an http(s) URL that Asterisk 14+
fetches into its media cache, else the prompt file's path without its extension, which Asterisk
reads from a folder it shares with the engine (same host or a shared volume).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import random
import secrets
import tempfile
import time
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import orjson
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from okienko.telephony.engine.adapter import (
    AUDIO,
    BARGE,
    LISTEN,
    RECORD,
    SUPERVISION_MODES,
    WHISPER,
    AdapterEvents,
    PromptSource,
    Unsupported,
    collect_digits,
)

log = logging.getLogger(__name__)

LEG = "okienko-leg"  # first app argument of every channel this adapter originates or snoops
PROMPT_RATE = 8000  # Hz; Asterisk's ``wav`` format is 8 kHz 16-bit mono
REST_TIMEOUT = 5.0  # seconds for one REST request
ANSWER_TIMEOUT = 30.0  # seconds an agent's or supervisor's phone may ring
SNOOP_TIMEOUT = 5.0  # seconds for a snoop channel to enter the application
PLAY_MARGIN = 5.0  # seconds allowed beyond a prompt's length for PlaybackFinished
PLAY_UNKNOWN = 120.0  # seconds allowed when the prompt's length cannot be read
BACKOFF_FIRST = 0.5  # seconds before the first reconnection attempt
BACKOFF_MAX = 30.0  # seconds between attempts at most
ENDED_EVENTS = frozenset({"StasisEnd", "ChannelHangupRequest", "ChannelDestroyed"})


class AriError(RuntimeError):
    """A REST request to Asterisk failed (connection, time-out or an error status)."""

    def __init__(self, detail: str, status: int = 0) -> None:
        super().__init__(detail)
        self.status = status


class AgentUnreachable(AriError):
    """The consultant's (or supervisor's) phone could not be called or did not answer in time;
    the caller's channel is left as it was (the runtime may queue the call again or end it)."""


@dataclass
class _Supervision:
    mode: str
    leg: str  # the supervisor's channel
    snoop: str = ""  # listen / whisper: the snoop channel and the bridge joining it to the leg
    bridge: str = ""


@dataclass
class _Call:
    id: str
    number: str
    caller: str
    digits: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    ended: bool = False
    closing: bool = False  # the runtime hung it up or transferred it: its end is not reported
    bridge: str = ""
    agent_leg: str = ""
    recording: str = ""
    playbacks: set[str] = field(default_factory=set)
    supervisors: dict[str, _Supervision] = field(default_factory=dict)


@dataclass
class _Leg:
    call: str
    kind: str  # agent | supervisor | snoop
    up: asyncio.Future[bool]  # True once in the application (answered), False if gone before


@dataclass
class _Recording:
    call: str
    started: float


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(part, safe="") for part in parts)


def _prompt_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as audio:
            return audio.getnframes() / float(audio.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return None


class AriAdapter:
    """The engine's adapter for Asterisk. ``start()`` connects (and keeps reconnecting) the
    events WebSocket; ``close()`` ends it. All methods run on the engine's asyncio loop."""

    capabilities = frozenset({AUDIO, RECORD, LISTEN, WHISPER, BARGE})

    def __init__(
        self,
        base_url: str,
        app: str,
        username: str,
        password: str,
        events: AdapterEvents,
        prompts: PromptSource,
        agent_endpoint: Callable[[str], str],
        media_url: Callable[[Path], str] | None = None,
        *,
        transfer_context: str = "okienko-transfer",
        answer_timeout: float = ANSWER_TIMEOUT,
        rest_timeout: float = REST_TIMEOUT,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        root = parts.path[: -len("/ari")] if parts.path.endswith("/ari") else parts.path
        self.rest_url = urlunsplit((parts.scheme, parts.netloc, root + "/ari", "", ""))
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        query = f"app={quote(app, safe='')}&subscribeAll=false"
        self.events_url = urlunsplit((ws_scheme, parts.netloc, root + "/ari/events", query, ""))
        self.app = app
        self._auth = (username, password)
        self._events = events
        self._prompts = prompts
        self._agent_endpoint = agent_endpoint
        self._media_url = media_url
        self._transfer_context = transfer_context
        self._answer_timeout = answer_timeout
        self._rest_timeout = rest_timeout
        self._backoff = backoff
        self._http: httpx.AsyncClient | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing = False
        self.connected = asyncio.Event()
        self._calls: dict[str, _Call] = {}
        self._legs: dict[str, _Leg] = {}
        self._playbacks: dict[str, asyncio.Future[None]] = {}
        self._recordings: dict[str, _Recording] = {}
        self._chains: dict[str, asyncio.Task[None]] = {}  # per call: its last notification
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the events connection (it retries on its own; ``connected`` is set while up)."""
        if self._reader is not None:
            return
        self._closing = False
        self._http = httpx.AsyncClient(base_url=self.rest_url, auth=self._auth, timeout=self._rest_timeout)
        self._reader = asyncio.ensure_future(self._read_events())

    async def wait_connected(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        self._closing = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for future in self._playbacks.values():
            if not future.done():
                future.set_result(None)
        for call in self._calls.values():
            self._mark_ended(call)
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        self.connected.clear()

    def _spawn(self, coroutine: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)
        return task

    def _notify(self, key: str, make: Callable[[], Awaitable[None]]) -> None:
        """Hand an event to the runtime without holding up the event reader, in order per call."""
        previous = self._chains.get(key)

        async def run() -> None:
            if previous is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await previous
            try:
                await make()
            except Exception:
                log.exception("the runtime failed on an ARI event for %s", key)
            finally:
                if self._chains.get(key) is task:
                    del self._chains[key]

        task = self._spawn(run())
        self._chains[key] = task

    def _failure(self, detail: str) -> None:
        log.warning("ARI: %s", detail)
        self._notify("", lambda: self._events.failure("ari", detail))

    # -- REST --------------------------------------------------------------------------------

    async def _rest(
        self,
        method: str,
        path: str,
        params: dict[str, str | int] | None = None,
        *,
        missing_ok: bool = False,
    ) -> Any:
        if self._http is None:
            raise AriError(f"{method} {path}: the adapter is not started")
        try:
            response = await self._http.request(method, path, params=params)
        except httpx.HTTPError as exc:
            raise AriError(f"{method} {path}: {type(exc).__name__} {exc}") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise AriError(f"{method} {path}: HTTP {response.status_code} {response.text[:200]}", response.status_code)
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return orjson.loads(response.content)
        return response.content

    async def _quietly(self, method: str, path: str, params: dict[str, str | int] | None = None) -> None:
        """Tidying up (hanging up legs, destroying bridges): gone already is fine, errors only logged."""
        try:
            await self._rest(method, path, params, missing_ok=True)
        except AriError as exc:
            log.info("ARI tidy-up failed: %s", exc)

    def _new_id(self, kind: str) -> str:
        return f"okienko-{kind}-{secrets.token_hex(8)}"

    # -- the events connection -----------------------------------------------------------------

    async def _read_events(self) -> None:
        delay = self._backoff[0]
        lost = False
        user, password = self._auth
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        while not self._closing:
            reason = ""
            try:
                async with connect(
                    self.events_url, additional_headers=headers, open_timeout=self._rest_timeout, max_size=2**22
                ) as socket:
                    if lost:
                        await self._reconcile()
                        lost = False
                        self._failure("connection to Asterisk (ARI) is back")
                    self.connected.set()
                    delay = self._backoff[0]
                    async for raw in socket:
                        self._dispatch_raw(raw)
                reason = "closed by Asterisk"
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, InvalidURI, AriError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            self.connected.clear()
            if self._closing:
                break
            if not lost:
                lost = True
                self._failure(f"connection to Asterisk (ARI) lost ({reason}); reconnecting")
            await asyncio.sleep(delay * (1 + random.random() / 4))  # noqa: S311 - jitter, not secrets
            delay = min(delay * 2, self._backoff[1])

    def _dispatch_raw(self, raw: str | bytes) -> None:
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError:
            log.warning("ARI sent something that is not JSON: %.100r", raw)
            return
        if isinstance(event, dict):
            try:
                self.dispatch(event)
            except Exception:
                log.exception("handling the ARI event %s failed", event.get("type"))

    def dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        channel = event.get("channel") if isinstance(event.get("channel"), dict) else {}
        channel_id = str(channel.get("id", "")) if channel else ""
        if kind == "StasisStart":
            args = [str(arg) for arg in event.get("args") or []]
            self._on_stasis_start(channel_id, channel or {}, args)
        elif kind == "ChannelDtmfReceived":
            call = self._calls.get(channel_id)
            digit = str(event.get("digit", ""))
            if call is not None and not call.ended and len(digit) == 1 and digit in "0123456789*#ABCD":
                call.digits.put_nowait(digit)
        elif kind in ENDED_EVENTS:
            self._on_channel_end(channel_id)
        elif kind == "PlaybackFinished":
            playback = event.get("playback") or {}
            future = self._playbacks.get(str(playback.get("id", "")))
            if future is not None and not future.done():
                future.set_result(None)
        elif kind == "RecordingFinished":
            name = str((event.get("recording") or {}).get("name", ""))
            recording = self._recordings.pop(name, None)
            if recording is not None:
                self._spawn(self._fetch_recording(name, recording, time.time()))
        elif kind == "RecordingFailed":
            recording_info = event.get("recording") or {}
            name = str(recording_info.get("name", ""))
            if self._recordings.pop(name, None) is not None:
                self._failure(f"recording {name} failed: {recording_info.get('cause', '')}")

    def _on_stasis_start(self, channel_id: str, channel: dict[str, Any], args: list[str]) -> None:
        leg = self._legs.get(channel_id)
        if leg is not None:
            if not leg.up.done():
                leg.up.set_result(True)
            return
        if args and args[0] == LEG:  # a leg of an earlier run of the engine: nobody waits for it
            self._spawn(self._quietly("DELETE", _path("channels", channel_id)))
            return
        if not channel_id or channel_id in self._calls:
            return
        dialplan = channel.get("dialplan") or {}
        caller = channel.get("caller") or {}
        call = _Call(channel_id, str(dialplan.get("exten", "")), str(caller.get("number", "")))
        self._calls[channel_id] = call
        self._notify(channel_id, lambda: self._events.incoming(call.id, call.number, call.caller))

    def _on_channel_end(self, channel_id: str) -> None:
        call = self._calls.get(channel_id)
        if call is not None:
            self._end(call, report=True)
            return
        leg = self._legs.pop(channel_id, None)
        if leg is None:
            return
        if not leg.up.done():
            leg.up.set_result(False)
        owner = self._calls.get(leg.call)
        if owner is None or owner.ended:
            return
        if leg.kind == "agent" and owner.agent_leg == channel_id:
            # the consultant hung up their phone: the conversation is over for the caller too
            owner.agent_leg = ""
            self._end(owner, report=True)
            self._spawn(self._quietly("DELETE", _path("channels", owner.id)))
        elif leg.kind == "supervisor":
            for supervisor, watch in list(owner.supervisors.items()):
                if watch.leg == channel_id:
                    del owner.supervisors[supervisor]
                    self._spawn(self._teardown(watch))

    # -- call state ----------------------------------------------------------------------------

    def _live(self, call: str) -> _Call | None:
        state = self._calls.get(call)
        return None if state is None or state.ended else state

    def _mark_ended(self, call: _Call) -> None:
        call.ended = True
        call.digits.put_nowait("")  # wakes a collect in progress
        for playback in call.playbacks:
            future = self._playbacks.get(playback)
            if future is not None and not future.done():
                future.set_result(None)

    def _end(self, call: _Call, *, report: bool) -> None:
        """The call is over (whatever ended it): wake its waiters, tidy its legs and bridge, and
        tell the runtime unless the runtime ended it itself."""
        if call.ended:
            return
        self._mark_ended(call)
        self._calls.pop(call.id, None)
        self._spawn(self._drop_extras(call))
        if report and not call.closing:
            self._notify(call.id, lambda: self._events.gone(call.id))

    async def _lose(self, call: _Call, detail: str) -> None:
        """A REST request for the call failed: end it cleanly rather than leave it half-done."""
        if call.ended:
            return
        self._failure(f"call {call.id} ended: {detail}")
        self._end(call, report=True)
        self._spawn(self._quietly("DELETE", _path("channels", call.id)))

    async def _drop_extras(self, call: _Call) -> None:
        for ringing_id, ringing in list(self._legs.items()):  # staff phones still ringing for it stop
            if ringing.call == call.id and not ringing.up.done():
                self._legs.pop(ringing_id, None)
                ringing.up.set_result(False)
                await self._quietly("DELETE", _path("channels", ringing_id))
        for watch in list(call.supervisors.values()):
            await self._teardown(watch)
        call.supervisors.clear()
        if call.agent_leg:
            leg, call.agent_leg = call.agent_leg, ""
            self._legs.pop(leg, None)
            await self._quietly("DELETE", _path("channels", leg))
        if call.bridge:
            bridge, call.bridge = call.bridge, ""
            await self._quietly("DELETE", _path("bridges", bridge))

    async def _teardown(self, watch: _Supervision) -> None:
        for channel in (watch.leg, watch.snoop):
            if channel:
                self._legs.pop(channel, None)
                await self._quietly("DELETE", _path("channels", channel))
        if watch.bridge:
            await self._quietly("DELETE", _path("bridges", watch.bridge))

    async def _reconcile(self) -> None:
        """After a reconnection: which calls and legs still exist (their end events were lost)."""
        listed = await self._rest("GET", "/channels")
        alive = {str(channel.get("id")) for channel in listed or [] if isinstance(channel, dict)}
        for call in list(self._calls.values()):
            if call.id not in alive:
                log.info("ARI: call %s ended while the connection was down", call.id)
                self._end(call, report=True)
        for channel_id in [leg for leg in self._legs if leg not in alive]:
            self._on_channel_end(channel_id)
        for playback, future in list(self._playbacks.items()):
            if not future.done() and await self._rest("GET", _path("playbacks", playback), missing_ok=True) is None:
                future.set_result(None)

    # -- the Adapter protocol --------------------------------------------------------------------

    async def answer(self, call: str) -> None:
        state = self._live(call)
        if state is None:
            return
        try:
            await self._rest("POST", _path("channels", call, "answer"))
        except AriError as exc:
            await self._lose(state, f"answer: {exc}")

    async def play(self, call: str, prompt_id: str, text: str) -> None:
        state = self._live(call)
        if state is None:
            return
        audio = await sync_to_async(self._prompts.audio_for, thread_sensitive=True)(prompt_id, text, PROMPT_RATE)
        if self._media_url is not None:
            media = "sound:" + self._media_url(audio)
        else:
            media = "sound:" + str(audio.with_suffix(""))
        if state.ended:
            return
        playback = self._new_id("play")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._playbacks[playback] = future
        state.playbacks.add(playback)
        try:
            try:
                await self._rest("POST", _path("channels", call, "play", playback), {"media": media})
            except AriError as exc:
                await self._lose(state, f"play: {exc}")
                return
            seconds = _prompt_seconds(audio)
            limit = PLAY_UNKNOWN if seconds is None else seconds + PLAY_MARGIN
            try:
                await asyncio.wait_for(future, limit)
            except TimeoutError:
                log.warning("ARI: no PlaybackFinished for %s on %s in %.0f s", playback, call, limit)
                await self._quietly("DELETE", _path("playbacks", playback))
        finally:
            self._playbacks.pop(playback, None)
            state.playbacks.discard(playback)

    async def collect(
        self,
        call: str,
        min_digits: int,
        max_digits: int,
        terminator: str,
        first_timeout: float,
        inter_digit_timeout: float,
    ) -> str | None:
        state = self._live(call)
        if state is None:
            return None
        return await collect_digits(
            state.digits, lambda: state.ended, min_digits, max_digits, terminator, first_timeout, inter_digit_timeout
        )

    async def _originate(self, call: _Call, kind: str, endpoint: str) -> str:
        """Ring a staff phone for ``call``; its channel id once answered (in the application), or
        "" when the call ended meanwhile."""
        leg_id = self._new_id(kind)
        leg = _Leg(call.id, kind, asyncio.get_running_loop().create_future())
        self._legs[leg_id] = leg
        params: dict[str, str | int] = {
            "endpoint": endpoint,
            "app": self.app,
            "appArgs": f"{LEG},{kind},{call.id}",
            "channelId": leg_id,
            "timeout": max(1, round(self._answer_timeout)),
        }
        if call.caller:
            params["callerId"] = call.caller
        answered = False
        try:
            await self._rest("POST", "/channels", params)
            answered = await asyncio.wait_for(asyncio.shield(leg.up), self._answer_timeout + 2)
        except (AriError, TimeoutError) as exc:
            log.info("ARI: originating %s to %s failed: %s", kind, endpoint, exc)
        if not answered or call.ended:
            self._legs.pop(leg_id, None)
            await self._quietly("DELETE", _path("channels", leg_id))
            if call.ended:
                return ""  # the caller hung up meanwhile: nothing to join
            raise AgentUnreachable(f"{endpoint} did not answer")
        return leg_id

    async def _bridge_of(self, call: _Call) -> str:
        """The call's mixing bridge (created with the caller in it on first need)."""
        if not call.bridge:
            bridge_id = self._new_id("bridge")
            await self._rest(
                "POST", "/bridges", {"type": "mixing", "bridgeId": bridge_id, "name": f"okienko {call.id}"}
            )
            call.bridge = bridge_id
            await self._rest("POST", _path("bridges", bridge_id, "addChannel"), {"channel": call.id})
        return call.bridge

    async def bridge(self, call: str, agent: str) -> None:
        """Ring the consultant's phone and join it to the caller; raises :class:`AgentUnreachable`
        when it does not answer (the caller is left waiting; the runtime decides)."""
        state = self._live(call)
        if state is None:
            return
        leg = await self._originate(state, "agent", self._agent_endpoint(agent))
        if not leg:
            return
        if state.agent_leg:  # connected to another consultant before (a transfer to a queue)
            old, state.agent_leg = state.agent_leg, ""
            self._legs.pop(old, None)
            await self._quietly("DELETE", _path("channels", old))
        state.agent_leg = leg
        try:
            bridge = await self._bridge_of(state)
            await self._rest("POST", _path("bridges", bridge, "addChannel"), {"channel": leg})
        except AriError as exc:
            await self._lose(state, f"bridge: {exc}")
        if state.ended and self._legs.pop(leg, None) is not None:  # hung up while joining
            await self._quietly("DELETE", _path("channels", leg))

    async def transfer(self, call: str, number: str) -> None:
        """Hand the caller back to the dialplan: ``transfer_context``, extension ``number``
        (which dials out through the trunk); the call then leaves the engine."""
        cleaned = "".join(ch for ch in number if ch.isdigit() or ch in "+*#")[:32]
        if not cleaned:
            raise ValueError("no number to transfer to")
        state = self._live(call)
        if state is None:
            return
        state.closing = True
        try:
            await self._rest(
                "POST",
                _path("channels", call, "continue"),
                {"context": self._transfer_context, "extension": cleaned, "priority": 1},
            )
        except AriError as exc:
            self._failure(f"transfer of {call} to {cleaned} failed: {exc}")
            await self._quietly("DELETE", _path("channels", call))
        self._end(state, report=False)

    async def hangup(self, call: str) -> None:
        state = self._calls.get(call)
        if state is None:
            return
        state.closing = True
        self._end(state, report=False)
        await self._quietly("DELETE", _path("channels", call))

    async def record(self, call: str, start: bool) -> None:
        state = self._live(call)
        if state is None:
            return
        if not start:
            name, state.recording = state.recording, ""
            if name:
                try:
                    await self._rest("POST", _path("recordings", "live", name, "stop"), missing_ok=True)
                except AriError as exc:
                    self._failure(f"stopping recording {name} failed: {exc}")
            return
        if state.recording:
            return
        name = self._new_id("rec")
        self._recordings[name] = _Recording(call, time.time())
        try:
            bridge = await self._bridge_of(state)
            await self._rest(
                "POST",
                _path("bridges", bridge, "record"),
                {"name": name, "format": "wav", "ifExists": "fail", "beep": "false"},
            )
        except AriError as exc:
            self._recordings.pop(name, None)
            self._failure(f"recording call {call} could not start: {exc}")
            return
        state.recording = name

    async def _fetch_recording(self, name: str, recording: _Recording, ended: float) -> None:
        try:
            data = await self._rest("GET", _path("recordings", "stored", name, "file"))
        except AriError as exc:
            self._failure(f"recording {name} stays on Asterisk: fetching it failed: {exc}")
            return
        handle, raw_path = tempfile.mkstemp(prefix="okienko-ari-", suffix=".wav")
        with os.fdopen(handle, "wb") as out:
            out.write(data if isinstance(data, bytes) else orjson.dumps(data))
        path = Path(raw_path)
        self._notify(recording.call, lambda: self._events.recorded(recording.call, path, recording.started, ended))
        await self._quietly("DELETE", _path("recordings", "stored", name))

    async def supervise(self, call: str, supervisor: str, mode: str) -> None:
        """Ring the supervisor's phone and, once answered, let them listen (a snoop on the caller's
        channel hearing both directions), whisper (a snoop on the consultant's channel: hears both,
        speaks to the consultant only) or barge (joins the call's bridge)."""
        if mode not in SUPERVISION_MODES:
            raise Unsupported(mode)
        state = self._live(call)
        if state is None:
            return
        if mode == WHISPER and not state.agent_leg:
            raise Unsupported("whisper needs a connected consultant")
        if supervisor in state.supervisors:
            await self.stop_supervising(call, supervisor)
        leg = await self._originate(state, "supervisor", self._agent_endpoint(supervisor))
        if not leg:
            return
        watch = _Supervision(mode, leg)
        state.supervisors[supervisor] = watch
        try:
            if mode == BARGE:
                bridge = await self._bridge_of(state)
                await self._rest("POST", _path("bridges", bridge, "addChannel"), {"channel": leg})
                return
            target = state.agent_leg if mode == WHISPER else state.id
            watch.snoop = self._new_id("snoop")
            up = asyncio.get_running_loop().create_future()
            self._legs[watch.snoop] = _Leg(call, "snoop", up)
            await self._rest(
                "POST",
                _path("channels", target, "snoop"),
                {
                    "spy": "both",
                    "whisper": "out" if mode == WHISPER else "none",
                    "app": self.app,
                    "appArgs": f"{LEG},snoop,{call}",
                    "snoopId": watch.snoop,
                },
            )
            if not await asyncio.wait_for(asyncio.shield(up), SNOOP_TIMEOUT):
                raise AriError("the snoop channel ended at once")
            watch.bridge = self._new_id("bridge")
            await self._rest(
                "POST", "/bridges", {"type": "mixing", "bridgeId": watch.bridge, "name": f"okienko {mode}"}
            )
            await self._rest("POST", _path("bridges", watch.bridge, "addChannel"), {"channel": f"{watch.snoop},{leg}"})
        except (AriError, TimeoutError) as exc:
            state.supervisors.pop(supervisor, None)
            await self._teardown(watch)
            self._failure(f"{mode} on call {call} failed: {exc}")
            raise AriError(f"{mode} failed: {exc}") from exc

    async def stop_supervising(self, call: str, supervisor: str) -> None:
        state = self._calls.get(call)
        watch = state.supervisors.pop(supervisor, None) if state is not None else None
        if watch is not None:
            await self._teardown(watch)

    # -- for tests and diagnostics ---------------------------------------------------------------

    def calls(self) -> list[str]:
        return sorted(self._calls)

    def agent_leg(self, call: str) -> str:
        state = self._calls.get(call)
        return state.agent_leg if state is not None else ""

    def bridge_id(self, call: str) -> str:
        state = self._calls.get(call)
        return state.bridge if state is not None else ""


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("ARI adapter task failed", exc_info=task.exception())

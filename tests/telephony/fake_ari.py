"""A fake Asterisk ARI server on 127.0.0.1 for the ARI adapter's tests.

It speaks the REST resources and events the adapter uses, with the JSON shapes of Asterisk's
published ARI descriptions (``rest-api/api-docs/channels.json``, ``bridges.json``,
``playbacks.json``, ``recordings.json``, ``events.json``): Channel (id, name, state,
caller{name,number}, connected, accountcode, dialplan{context,exten,priority,app_name,app_data},
creationtime, language), Bridge (id, technology, bridge_type, bridge_class, creator, name, channels,
creationtime, video_mode), Playback (id, media_uri, target_uri, language, state), LiveRecording
(name, format, target_uri, state, duration, talking_duration, silence_duration, cause) and events
carrying type, application, timestamp, asterisk_id. Error statuses follow the descriptions too
(404 channel not found, 409 not in a Stasis application, 422 channel not in Stasis for a bridge…),
with ARI's error body ``{"message": …}``.

Like Asterisk, events for the application are dropped while no WebSocket is connected, originated
channels enter the application (StasisStart with the appArgs) only once answered, snoop channels
enter it at once, and a recording ends (RecordingFinished) when stopped or when its bridge or
channel goes.

The test API (all on the server's loop): ``place_call``, ``dtmf``, ``hang_up``, ``answers`` (which
endpoints answer), ``drop`` (close the WebSockets; optionally refuse everything for a while),
``fail`` (return an error status for some requests), ``requests`` (what the adapter asked).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import itertools
import json
import re
import socket
import time
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

ASTERISK_ID = "02:42:ac:11:00:02"


def stamp(at: float | None = None) -> str:
    at = time.time() if at is None else at
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}+0000"


def wav_bytes(seconds: float = 0.2, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x01\x00" * int(seconds * rate))
    return buffer.getvalue()


class Reply(Exception):
    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]

    def param(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0] if values else default


@dataclass
class Failure:
    status: int
    pattern: re.Pattern[str]
    until: float
    count: int


@dataclass
class FakeAri:
    app: str = "okienko"
    username: str = "okienko"
    password: str = "secret"
    playback_seconds: float = 0.05  # how long a prompt "plays"
    answer_delay: float = 0.02  # how long an originated channel rings before it answers
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    stasis: set[str] = field(default_factory=set)  # channels in the application
    bridges: dict[str, dict[str, Any]] = field(default_factory=dict)
    playbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)
    stored: dict[str, bytes] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # events delivered
    answering: dict[str, bool] = field(default_factory=dict)  # endpoint → answers (default True)
    down_until: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    _sockets: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _server: uvicorn.Server | None = None
    _serving: asyncio.Task[None] | None = None
    base_url: str = ""

    # -- running ---------------------------------------------------------------------------------

    async def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.asgi,
            interface="asgi3",
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        for _ in range(200):
            if self._server.started:
                break
            await asyncio.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        for queue in list(self._sockets):
            queue.put_nowait(None)
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._serving, 3)

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        async def run() -> None:
            await asyncio.sleep(delay)
            action()

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def connections(self) -> int:
        return len(self._sockets)

    # -- events ------------------------------------------------------------------------------------

    def emit(self, kind: str, **body: Any) -> None:
        event = {"type": kind, "application": self.app, "timestamp": stamp(), "asterisk_id": ASTERISK_ID, **body}
        if not self._sockets:
            return  # like Asterisk: nobody connected, the event is lost
        self.sent.append(event)
        for queue in self._sockets:
            queue.put_nowait(event)

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.sent if event["type"] == kind]

    # -- the test API --------------------------------------------------------------------------------

    def _channel(
        self, name: str, exten: str, caller: str, state: str, *, context: str = "from-trunk"
    ) -> dict[str, Any]:
        channel_id = f"{int(time.time())}.{next(self._ids)}"
        return {
            "id": channel_id,
            "name": f"{name}-{next(self._ids):08x}",
            "state": state,
            "caller": {"name": "", "number": caller},
            "connected": {"name": "", "number": ""},
            "accountcode": "",
            "dialplan": {"context": context, "exten": exten, "priority": 1, "app_name": "Stasis", "app_data": self.app},
            "creationtime": stamp(),
            "language": "pl",
        }

    def place_call(self, exten: str, caller: str, args: tuple[str, ...] = ()) -> str:
        """A call from the trunk reaches ``Stasis(okienko)`` in the dialplan."""
        channel = self._channel("PJSIP/trunk", exten, caller, "Ring")
        self.channels[channel["id"]] = channel
        self.stasis.add(channel["id"])
        self.emit("StasisStart", args=list(args), channel=channel)
        return str(channel["id"])

    def dtmf(self, channel_id: str, digits: str, duration_ms: int = 120) -> None:
        for digit in digits:
            self.emit("ChannelDtmfReceived", digit=digit, duration_ms=duration_ms, channel=self.channels[channel_id])

    def hang_up(self, channel_id: str, cause: int = 16) -> None:
        """The far end hangs up (or, with a channel originated to staff, the staff's phone)."""
        channel = self.channels.get(channel_id)
        if channel is None:
            return
        self.emit("ChannelHangupRequest", cause=cause, channel=channel)
        self._destroy(channel_id, cause)

    def answers(self, endpoint: str, answer: bool) -> None:
        self.answering[endpoint] = answer

    def drop(self, down_for: float = 0.0) -> None:
        """Close the events connections; with ``down_for`` also refuse connections and REST for
        that long (an Asterisk restart or a network cut)."""
        if down_for:
            self.down_until = time.monotonic() + down_for
        for queue in list(self._sockets):
            queue.put_nowait(None)

    def fail(self, status: int = 503, pattern: str = ".*", *, seconds: float = 60.0, count: int = 1000) -> None:
        """Answer requests whose ``METHOD /path`` matches ``pattern`` with ``status``."""
        self.failures.append(Failure(status, re.compile(pattern), time.monotonic() + seconds, count))

    def asked(self, method: str, pattern: str) -> list[Request]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.fullmatch(r.path)]

    # -- Asterisk's behaviour ----------------------------------------------------------------------

    def _destroy(self, channel_id: str, cause: int = 16) -> None:
        channel = self.channels.pop(channel_id, None)
        if channel is None:
            return
        for bridge in self.bridges.values():
            if channel_id in bridge["channels"]:
                bridge["channels"].remove(channel_id)
                self.emit("ChannelLeftBridge", bridge=bridge, channel=channel)
        for playback in list(self.playbacks.values()):
            if playback["target_uri"] == f"channel:{channel_id}":
                self._finish_playback(playback["id"], "done")
        self._finish_recordings(f"channel:{channel_id}")
        if channel_id in self.stasis:
            self.stasis.discard(channel_id)
            self.emit("StasisEnd", channel=channel)
        channel["state"] = "Down"
        self.emit("ChannelDestroyed", cause=cause, cause_txt="Normal Clearing", channel=channel)

    def _finish_playback(self, playback_id: str, state: str) -> None:
        playback = self.playbacks.pop(playback_id, None)
        if playback is not None:
            playback["state"] = state
            self.emit("PlaybackFinished", playback=playback)

    def _finish_recordings(self, target: str) -> None:
        for name, recording in list(self.live.items()):
            if recording["target_uri"] == target:
                self._stop_recording(name)

    def _stop_recording(self, name: str) -> None:
        recording = self.live.pop(name)
        recording.update(state="done", duration=1, talking_duration=1, silence_duration=0)
        self.stored[name] = wav_bytes()
        self.emit("RecordingFinished", recording=recording)

    # -- HTTP and WebSocket ------------------------------------------------------------------------

    def _authorised(self, scope: Scope) -> bool:
        params = parse_qs(scope.get("query_string", b"").decode())
        if params.get("api_key") == [f"{self.username}:{self.password}"]:
            return True
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value.startswith(b"Basic "):
                with contextlib.suppress(ValueError):
                    return base64.b64decode(value[6:]).decode() == f"{self.username}:{self.password}"
        return False

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        params = parse_qs(scope.get("query_string", b"").decode())
        refused = time.monotonic() < self.down_until
        if refused or scope["path"] != "/ari/events" or not self._authorised(scope) or params.get("app") != [self.app]:
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "websocket.accept"})
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._sockets.add(queue)
        closed = asyncio.ensure_future(self._until_closed(receive))
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _pending = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    getter.cancel()
                    return
                event = getter.result()
                if event is None:
                    self._sockets.discard(queue)
                    await send({"type": "websocket.close", "code": 1011})
                    return
                await send({"type": "websocket.send", "text": json.dumps(event)})
        finally:
            self._sockets.discard(queue)
            closed.cancel()

    @staticmethod
    async def _until_closed(receive: Receive) -> None:
        while (await receive())["type"] != "websocket.disconnect":
            pass

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        request = Request(scope["method"], unquote(scope["path"]), parse_qs(scope.get("query_string", b"").decode()))
        self.requests.append(request)
        content_type = "application/json"
        try:
            if time.monotonic() < self.down_until:
                raise Reply(503, {"message": "Service Unavailable"})
            if not self._authorised(scope):
                raise Reply(401, {"message": "Authentication required"})
            for failure in self.failures:
                matches = failure.pattern.fullmatch(f"{request.method} {request.path}")
                if matches and failure.count > 0 and time.monotonic() < failure.until:
                    failure.count -= 1
                    raise Reply(failure.status, {"message": "Internal Server Error"})
            result = self._route(request)
            status, body = (200, result) if result is not None else (204, None)
        except Reply as reply:
            status, body = reply.status, reply.body
        if isinstance(body, bytes):
            payload, content_type = body, "audio/wav"
        else:
            payload = json.dumps(body).encode() if body is not None else b""
        headers = [(b"content-length", str(len(payload)).encode())]
        if payload:
            headers.append((b"content-type", content_type.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _route(self, r: Request) -> Any:
        parts = r.path.removeprefix("/ari").strip("/").split("/")
        match (r.method, parts):
            case ("GET", ["channels"]):
                return list(self.channels.values())
            case ("POST", ["channels"]):
                return self._originate(r)
            case ("GET", ["channels", channel_id]):
                return self._find(channel_id)
            case ("DELETE", ["channels", channel_id]):
                self._find(channel_id)
                self._destroy(channel_id)
                return None
            case ("POST", ["channels", channel_id, "answer"]):
                channel = self._in_stasis(channel_id)
                if channel["state"] != "Up":
                    channel["state"] = "Up"
                    self.emit("ChannelStateChange", channel=channel)
                return None
            case ("POST", ["channels", channel_id, "play"]):
                return self._play(r, channel_id, f"pb-{next(self._ids)}")
            case ("POST", ["channels", channel_id, "play", playback_id]):
                return self._play(r, channel_id, playback_id)
            case ("POST", ["channels", channel_id, "continue"]):
                channel = self._in_stasis(channel_id)
                channel["dialplan"].update(
                    context=r.param("context", channel["dialplan"]["context"]),
                    exten=r.param("extension", channel["dialplan"]["exten"]),
                    priority=int(r.param("priority", "1")),
                )
                self.stasis.discard(channel_id)
                self.emit("StasisEnd", channel=channel)
                return None
            case ("POST", ["channels", channel_id, "redirect"]):
                self._in_stasis(channel_id)
                if not r.param("endpoint"):
                    raise Reply(400, {"message": "Endpoint parameter not provided"})
                return None
            case ("POST", ["channels", channel_id, "snoop"]):
                return self._snoop(r, channel_id, r.param("snoopId") or f"snoop-{next(self._ids)}")
            case ("POST", ["channels", channel_id, "snoop", snoop_id]):
                return self._snoop(r, channel_id, snoop_id)
            case ("POST", ["channels", channel_id, "record"]):
                self._in_stasis(channel_id)
                return self._record(r, f"channel:{channel_id}")
            case ("GET", ["playbacks", playback_id]):
                if playback_id not in self.playbacks:
                    raise Reply(404, {"message": "Playback not found"})
                return self.playbacks[playback_id]
            case ("DELETE", ["playbacks", playback_id]):
                if playback_id not in self.playbacks:
                    raise Reply(404, {"message": "Playback not found"})
                self._finish_playback(playback_id, "canceled")
                return None
            case ("POST", ["bridges"]):
                return self._bridge(r, r.param("bridgeId") or f"bridge-{next(self._ids)}")
            case ("POST", ["bridges", bridge_id]):
                return self._bridge(r, bridge_id)
            case ("DELETE", ["bridges", bridge_id]):
                bridge = self._find_bridge(bridge_id)
                self._finish_recordings(f"bridge:{bridge_id}")
                del self.bridges[bridge_id]
                self.emit("BridgeDestroyed", bridge=bridge)
                return None
            case ("POST", ["bridges", bridge_id, "addChannel"]):
                bridge = self._find_bridge(bridge_id)
                ids = [c for c in r.param("channel").split(",") if c]
                if not ids or any(c not in self.channels for c in ids):
                    raise Reply(400, {"message": "Channel not found"})
                if any(c not in self.stasis for c in ids):
                    raise Reply(422, {"message": "Channel not in Stasis application"})
                for channel_id in ids:
                    if channel_id not in bridge["channels"]:
                        bridge["channels"].append(channel_id)
                        self.emit("ChannelEnteredBridge", bridge=bridge, channel=self.channels[channel_id])
                return None
            case ("POST", ["bridges", bridge_id, "record"]):
                self._find_bridge(bridge_id)
                return self._record(r, f"bridge:{bridge_id}")
            case ("POST", ["recordings", "live", name, "stop"]):
                if name not in self.live:
                    raise Reply(404, {"message": "Recording not found"})
                self._stop_recording(name)
                return None
            case ("GET", ["recordings", "stored", name, "file"]):
                if name not in self.stored:
                    raise Reply(404, {"message": "Recording not found"})
                return self.stored[name]
            case ("DELETE", ["recordings", "stored", name]):
                if self.stored.pop(name, None) is None:
                    raise Reply(404, {"message": "Recording not found"})
                return None
        raise Reply(404, {"message": "Resource not found"})

    def _find(self, channel_id: str) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise Reply(404, {"message": "Channel not found"})
        return channel

    def _in_stasis(self, channel_id: str) -> dict[str, Any]:
        channel = self._find(channel_id)
        if channel_id not in self.stasis:
            raise Reply(409, {"message": "Channel not in Stasis application"})
        return channel

    def _find_bridge(self, bridge_id: str) -> dict[str, Any]:
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise Reply(404, {"message": "Bridge not found"})
        return bridge

    def _originate(self, r: Request) -> dict[str, Any]:
        endpoint, app = r.param("endpoint"), r.param("app")
        if not endpoint or not app:
            raise Reply(400, {"message": "Endpoint and app must be provided"})
        channel = self._channel(endpoint, "s", r.param("callerId"), "Down", context="default")
        if r.param("channelId"):
            if r.param("channelId") in self.channels:
                raise Reply(409, {"message": "Channel with given unique ID already exists"})
            channel["id"] = r.param("channelId")
        channel_id = channel["id"]
        self.channels[channel_id] = channel
        args = [a for a in r.param("appArgs").split(",") if a] if r.param("appArgs") else []

        def ring() -> None:
            if channel_id not in self.channels:
                return
            if self.answering.get(endpoint, True):
                channel["state"] = "Up"
                self.stasis.add(channel_id)
                self.emit("StasisStart", args=args, channel=channel)
            else:
                self._destroy(channel_id, cause=19)  # no answer

        self._later(self.answer_delay, ring)
        return channel

    def _play(self, r: Request, channel_id: str, playback_id: str) -> dict[str, Any]:
        self._in_stasis(channel_id)
        media = r.params.get("media") or []
        if not media:
            raise Reply(400, {"message": "Media parameter not provided"})
        if playback_id in self.playbacks:
            raise Reply(409, {"message": "Playback with given ID already exists"})
        playback = {
            "id": playback_id,
            "media_uri": media[0],
            "target_uri": f"channel:{channel_id}",
            "language": r.param("lang", "pl"),
            "state": "playing",
        }
        self.playbacks[playback_id] = playback
        self.emit("PlaybackStarted", playback=playback)
        self._later(self.playback_seconds, lambda: self._finish_playback(playback_id, "done"))
        return playback

    def _snoop(self, r: Request, channel_id: str, snoop_id: str) -> dict[str, Any]:
        target = self._find(channel_id)
        spy, whisper = r.param("spy", "none"), r.param("whisper", "none")
        if not r.param("app") or (spy == "none" and whisper == "none"):
            raise Reply(400, {"message": "Invalid parameters"})
        if {spy, whisper} - {"none", "both", "out", "in"}:
            raise Reply(400, {"message": "Invalid direction"})
        channel = self._channel(f"Snoop/{target['id']}", "s", "", "Up", context="default")
        channel["id"] = snoop_id
        self.channels[snoop_id] = channel
        self.stasis.add(snoop_id)
        args = [a for a in r.param("appArgs").split(",") if a]
        self._later(0.0, lambda: self.emit("StasisStart", args=args, channel=channel))
        return channel

    def _bridge(self, r: Request, bridge_id: str) -> dict[str, Any]:
        if bridge_id in self.bridges:
            return self.bridges[bridge_id]
        bridge = {
            "id": bridge_id,
            "technology": "simple_bridge",
            "bridge_type": r.param("type", "mixing"),
            "bridge_class": "stasis",
            "creator": "Stasis",
            "name": r.param("name"),
            "channels": [],
            "creationtime": stamp(),
            "video_mode": "talker",
        }
        self.bridges[bridge_id] = bridge
        self.emit("BridgeCreated", bridge=bridge)
        return bridge

    def _record(self, r: Request, target: str) -> dict[str, Any]:
        name, fmt = r.param("name"), r.param("format")
        if not name or not fmt:
            raise Reply(400, {"message": "Invalid parameters"})
        if name in self.live or (name in self.stored and r.param("ifExists", "fail") == "fail"):
            raise Reply(409, {"message": "Recording with the same name already exists"})
        recording = {
            "name": name,
            "format": fmt,
            "target_uri": target,
            "state": "recording",
            "duration": 0,
            "talking_duration": 0,
            "silence_duration": 0,
            "cause": "",
        }
        self.live[name] = recording
        self.emit("RecordingStarted", recording=recording)
        return recording

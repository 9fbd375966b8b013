"""The engine process's door: a WebSocket server on loopback that the web server connects to, one
connection per browser, each carrying a signed identity (``identity``). Frames are JSON objects;
what each role may send is listed in ``docs/telephony.md``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from okienko.telephony.identity import AGENT, HEADER, PHONE, SUPERVISOR, Identity, verify
from okienko.telephony.runtime import Runtime

log = logging.getLogger(__name__)

MAX_FRAME = 8192
MAX_FRAMES_PER_SECOND = 20


class Connection:
    """A peer: one browser behind the web server."""

    def __init__(self, socket: ServerConnection, identity: Identity) -> None:
        self.socket = socket
        self.identity = identity

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message, ensure_ascii=False))


async def handle(runtime: Runtime, socket: ServerConnection) -> None:
    identity = verify(socket.request.headers.get(HEADER, "") if socket.request else "")
    if identity is None:
        await socket.close(4403, "who are you")
        return
    peer = Connection(socket, identity)
    joined = {PHONE: None, AGENT: runtime.agent_joined, SUPERVISOR: runtime.board_joined}[identity.role]
    if joined is not None:
        await joined(peer)
    else:
        await peer.send({"type": "hello"})
    budget, window = MAX_FRAMES_PER_SECOND, asyncio.get_running_loop().time()
    try:
        async for raw in socket:
            now = asyncio.get_running_loop().time()
            if now - window >= 1:
                budget, window = MAX_FRAMES_PER_SECOND, now
            budget -= 1
            if budget < 0:
                await peer.send({"type": "error", "code": "too-fast", "detail": "Too many frames."})
                continue
            message = _decode(raw)
            if message is None:
                await peer.send({"type": "error", "code": "bad-frame", "detail": "Send JSON objects."})
                continue
            await dispatch(runtime, peer, message)
    except ConnectionClosed:
        pass
    finally:
        if identity.role == PHONE:
            await runtime.phone_gone(peer)
        elif identity.role == AGENT:
            await runtime.agent_left(peer)
        else:
            await runtime.board_left(peer)


def _decode(raw: str | bytes) -> dict[str, Any] | None:
    if isinstance(raw, bytes) or len(raw) > MAX_FRAME:
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


async def dispatch(runtime: Runtime, peer: Connection, message: dict[str, Any]) -> None:
    role, kind = peer.identity.role, message.get("type")
    if role == PHONE:
        if kind == "dial":
            await runtime.dial(peer, str(message.get("number") or "")[:20])
        elif kind == "press":
            await runtime.press(peer, str(message.get("call") or ""), str(message.get("digits") or ""))
        elif kind == "message":
            await runtime.leave_message(peer, str(message.get("call") or ""), str(message.get("text") or ""))
        elif kind == "hangup":
            await runtime.hangup(peer, str(message.get("call") or ""))
        else:
            await peer.send({"type": "error", "code": "unknown", "detail": "Unknown command."})
    elif role == AGENT:
        await runtime.agent_command(peer, message)
    else:
        await runtime.board_command(peer, message)


Started = Callable[[asyncio.AbstractEventLoop, asyncio.Event, Runtime], None]


async def serve_forever(host: str, port: int, *, started: Started | None = None, line: str | None = None) -> None:
    """Serve until SIGINT/SIGTERM (or, in tests, until the event passed to ``started`` is set).
    ``line``: the real line to carry calls on (``lines.build``; None: the installation's)."""
    from okienko.telephony import lines

    runtime = Runtime()
    await runtime.start()
    await sync_to_async(lines.configure, thread_sensitive=True)(runtime)
    adapter = await sync_to_async(lines.build, thread_sensitive=True)(runtime, line)
    if adapter is not None:
        await lines.start(adapter)
        runtime.attach(adapter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    async with serve(lambda s: handle(runtime, s), host, port, max_size=MAX_FRAME * 2):
        log.info("telephony engine listening on %s:%s", host, port)
        if started is not None:
            started(loop, stop, runtime)
        await stop.wait()
    if adapter is not None:
        await lines.stop(adapter)
    await runtime.stop()

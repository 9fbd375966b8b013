"""Huge request bodies are refused at the ASGI entry point, before Django spools them to disk."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.testing import ApplicationCommunicator

from okienko.core.limits import BodySizeLimit

LIMIT = 1000


class Echo:
    """A stand-in application that reads the whole body and answers how much it got."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.called = True
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def scope(length: str | None) -> dict[str, Any]:
    headers = [(b"content-length", length.encode())] if length is not None else []
    return {"type": "http", "method": "POST", "path": "/zglos/", "headers": headers}


def drive(app: Echo, length: str | None, chunks: list[bytes]) -> list[dict[str, Any]]:
    """Run the exchange on a fresh event loop in its own thread (another test may have left a loop
    running in this one, as the browser tests do)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run(app, length, chunks)).result(timeout=30)


async def run(app: Echo, length: str | None, chunks: list[bytes]) -> list[dict[str, Any]]:
    communicator = ApplicationCommunicator(BodySizeLimit(app, LIMIT), scope(length))
    for i, chunk in enumerate(chunks):
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1})
    out = []
    try:
        while True:
            out.append(await communicator.receive_output(timeout=1))
    except Exception:  # noqa: BLE001, S110 - no more output (or the app ended)
        pass
    return out


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    app = Echo()
    out = drive(app, str(LIMIT + 1), [b"x" * 10])
    assert out[0]["status"] == 413
    assert not app.called


def test_a_body_growing_past_the_limit_is_cut_off() -> None:
    app = Echo()
    out = drive(app, None, [b"x" * 600, b"x" * 600])
    assert app.called
    assert all(m.get("status") != 200 for m in out)


def test_a_body_within_the_limit_passes() -> None:
    out = drive(Echo(), "900", [b"x" * 900])
    assert out[0]["status"] == 200
    assert out[1]["body"] == b"900"


def test_a_malformed_length_is_refused() -> None:
    out = drive(Echo(), "12abc", [b""])
    assert out[0]["status"] == 413

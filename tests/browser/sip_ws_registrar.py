"""A fake SIP registrar and caller over WebSocket (RFC 7118: subprotocol ``sip``, one SIP message
per text frame) for the browser phone's tests. It answers REGISTER with a 401 digest challenge
(RFC 8760/2617, MD5, qop=auth) and 200 OK once the digest is right; it can send the registered
browser an INVITE with a minimal WebRTC offer and records the answer, then ACKs it; BYE from the
browser is answered. It runs its own event loop on a thread and listens on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

REALM = "okienko-test"
# A WebRTC audio offer a browser accepts (ICE, DTLS fingerprint, rtcp-mux); media never flows.
OFFER = "\r\n".join(
    [
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        "a=group:BUNDLE 0",
        "m=audio 40000 UDP/TLS/RTP/SAVPF 111 8 0",
        "a=mid:0",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=ice-ufrag:Okie",
        "a=ice-pwd:okienkookienkookienkook",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:actpass",
        "a=rtpmap:111 opus/48000/2",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
        "",
    ]
)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (SIP digest is MD5 by definition)


@dataclass
class Message:
    start: str
    headers: list[tuple[str, str]]
    body: str

    @classmethod
    def parse(cls, raw: str) -> Message:
        head, _, body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
        return cls(lines[0], headers, body)

    def header(self, name: str) -> str:
        short = {"via": "v", "from": "f", "to": "t", "call-id": "i", "contact": "m", "content-type": "c"}
        wanted = {name.lower(), short.get(name.lower(), "")}
        return next((v for k, v in self.headers if k.lower() in wanted), "")

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() in {name.lower(), "v" if name.lower() == "via" else ""}]

    @property
    def method(self) -> str:
        return self.start.split(" ", 1)[0]

    @property
    def status(self) -> int:
        return int(self.start.split(" ")[1]) if self.start.startswith("SIP/2.0 ") else 0


@dataclass
class Registrar:
    username: str
    password: str
    port: int = 0
    registered: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    challenges: int = 0
    bad_digests: int = 0
    contact: str = ""
    answer: Message | None = None
    log: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _socket: ServerConnection | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    _nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    _call: dict[str, str] = field(default_factory=dict)

    # -- life ------------------------------------------------------------------------------

    def start(self) -> Registrar:
        ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve(ready)), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake registrar did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def _serve(self, ready: threading.Event) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(self._connection, "127.0.0.1", 0, subprotocols=["sip"]) as server:  # type: ignore[list-item]
            self.port = next(iter(server.sockets)).getsockname()[1]
            ready.set()
            await self._stop.wait()

    async def _connection(self, socket: ServerConnection) -> None:
        self._socket = socket
        async for raw in socket:
            text = raw if isinstance(raw, str) else raw.decode()
            self.log.append(text.split("\r\n", 1)[0])
            message = Message.parse(text)
            if message.status:
                await self._response(message)
            else:
                await self._request(socket, message)

    # -- the browser's requests ------------------------------------------------------------

    async def _request(self, socket: ServerConnection, request: Message) -> None:
        if request.method == "REGISTER":
            await self._register(socket, request)
        elif request.method == "BYE":
            await socket.send(self._reply(request, 200, "OK"))
            self.ended.set()
        elif request.method == "ACK":
            return
        else:
            await socket.send(self._reply(request, 200, "OK"))

    async def _register(self, socket: ServerConnection, request: Message) -> None:
        authorization = request.header("Authorization")
        if not authorization:
            self.challenges += 1
            challenge = f'WWW-Authenticate: Digest realm="{REALM}", nonce="{self._nonce}", algorithm=MD5, qop="auth"'
            await socket.send(self._reply(request, 401, "Unauthorized", [challenge]))
            return
        if not self._digest_ok(authorization, "REGISTER"):
            self.bad_digests += 1
            await socket.send(self._reply(request, 403, "Forbidden"))
            return
        contact = request.header("Contact")
        expires = re.search(r"expires=(\d+)", contact) or re.search(r"(\d+)", request.header("Expires") or "0")
        if expires and int(expires.group(1)) == 0:
            self.contact = ""
            self.registered.clear()
        else:
            match = re.search(r"<([^>]+)>", contact)
            self.contact = match.group(1) if match else contact
            self.registered.set()
        await socket.send(self._reply(request, 200, "OK", [f"Contact: {contact}", "Expires: 300"]))

    def _digest_ok(self, header: str, method: str) -> bool:
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header.removeprefix("Digest ")))
        if fields.get("username") != self.username or fields.get("realm") != REALM:
            return False
        if fields.get("nonce") != self._nonce:
            return False
        ha1 = md5(f"{self.username}:{REALM}:{self.password}")
        ha2 = md5(f"{method}:{fields.get('uri', '')}")
        if fields.get("qop") == "auth":
            expected = md5(f"{ha1}:{self._nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        else:
            expected = md5(f"{ha1}:{self._nonce}:{ha2}")
        return fields.get("response") == expected

    def _reply(self, request: Message, code: int, reason: str, extra: list[str] | None = None) -> str:
        to = request.header("To")
        if ";tag=" not in to:
            to += ";tag=" + secrets.token_hex(4)
        lines = [f"SIP/2.0 {code} {reason}"]
        lines += [f"Via: {via}" for via in request.all("Via")]
        lines += [
            f"From: {request.header('From')}",
            f"To: {to}",
            f"Call-ID: {request.header('Call-ID')}",
            f"CSeq: {request.header('CSeq')}",
            *(extra or []),
            "Content-Length: 0",
        ]
        return "\r\n".join(lines) + "\r\n\r\n"

    # -- calling the browser ---------------------------------------------------------------

    def invite(self, caller: str = "okienko") -> None:
        """Send the registered browser an INVITE (as Asterisk does when the engine rings it)."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._invite(caller), self._loop).result(10)

    async def _invite(self, caller: str) -> None:
        assert self._socket is not None
        assert self.contact
        self._call = {
            "call_id": secrets.token_hex(8),
            "from": f'"{caller}" <sip:{caller}@127.0.0.1>;tag={secrets.token_hex(4)}',
            "branch": "z9hG4bK" + secrets.token_hex(6),
        }
        body = OFFER
        lines = [
            f"INVITE {self.contact} SIP/2.0",
            f"Via: SIP/2.0/WS 127.0.0.1:{self.port};branch={self._call['branch']}",
            "Max-Forwards: 70",
            f"From: {self._call['from']}",
            f"To: <sip:{self.username}@127.0.0.1>",
            f"Call-ID: {self._call['call_id']}",
            "CSeq: 1 INVITE",
            f"Contact: <sip:{caller}@127.0.0.1:{self.port};transport=ws>",
            "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS",
            "Content-Type: application/sdp",
            f"Content-Length: {len(body.encode())}",
        ]
        await self._socket.send("\r\n".join(lines) + "\r\n\r\n" + body)

    async def _response(self, response: Message) -> None:
        if not response.header("CSeq").endswith("INVITE") or response.status < 200:
            return
        if response.status == 200:
            self.answer = response
            self.answered.set()
        ack = [
            f"ACK {self.contact} SIP/2.0",
            f"Via: SIP/2.0/WS 127.0.0.1:{self.port};branch=z9hG4bK{secrets.token_hex(6)}",
            "Max-Forwards: 70",
            f"From: {response.header('From')}",
            f"To: {response.header('To')}",
            f"Call-ID: {response.header('Call-ID')}",
            "CSeq: 1 ACK",
            "Content-Length: 0",
        ]
        assert self._socket is not None
        await self._socket.send("\r\n".join(ack) + "\r\n\r\n")


def wait(event: threading.Event, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if event.wait(0.1):
            return True
    return False


def fake_registrar(**kwargs: Any) -> Registrar:
    return Registrar(**kwargs).start()

"""A faithful SMSC stand-in speaking SMPP 3.4 PDUs over loopback (PDUs built and parsed with
smpplib's own PDU classes): bind_transceiver with credentials, enquire_link, submit_sm answered
with a message id (or a throttling or invalid-destination status on demand), a delivery receipt
as deliver_sm (esm_class 0x04, receipted_message_id and the receipt text) for every message that
asked for one, messages from phones as deliver_sm, unbind; receipts and messages wait for the
next bind when nobody is bound, as an SMSC stores them; a connection can be dropped on demand."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from smpplib import smpp

SYSTEM_ID, PASSWORD = "okienko", "secret"


class _Client:
    """What smpplib's PDU classes ask of a client: the next sequence number."""

    def __init__(self) -> None:
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


@dataclass
class State:
    submitted: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[Any] = field(default_factory=list)  # deliver_sm PDUs for the next bound session
    throttle: int = 0
    drop_after: int = -1  # close the connection after this many more submit_sm (−1: never)
    binds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _read(sock: socket.socket) -> bytes | None:
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    length = struct.unpack(">L", head)[0]
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            return None
        body += chunk
    return head + body


class Handler(socketserver.BaseRequestHandler):
    state: State

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(0.1)
        client = _Client()
        bound = False
        while True:
            if bound:
                self._flush(sock, client)
            try:
                raw = _read(sock)
            except TimeoutError:
                continue
            except OSError:
                return
            if raw is None:
                return
            pdu = smpp.parse_pdu(raw, client=client, allow_unknown_opt_params=True)
            command = pdu.command
            if command == "bind_transceiver":
                ok = _text(pdu.system_id) == SYSTEM_ID and _text(pdu.password) == PASSWORD
                self._send(sock, client, "bind_transceiver_resp", pdu.sequence, 0 if ok else 0x0D, system_id="FAKESMSC")
                bound = ok
                with self.state.lock:
                    self.state.binds += 1 if ok else 0
            elif command == "enquire_link":
                self._send(sock, client, "enquire_link_resp", pdu.sequence, 0)
            elif command == "submit_sm":
                if not self._submit(sock, client, pdu):
                    return
            elif command == "unbind":
                self._send(sock, client, "unbind_resp", pdu.sequence, 0)
                return

    def _submit(self, sock: socket.socket, client: _Client, pdu: Any) -> bool:
        state = self.state
        with state.lock:
            if state.drop_after == 0:
                state.drop_after = -1
                sock.close()
                return False
            if state.drop_after > 0:
                state.drop_after -= 1
            if state.throttle:
                state.throttle -= 1
                self._send(sock, client, "submit_sm_resp", pdu.sequence, 0x58, message_id="")
                return True
            destination = _text(pdu.destination_addr)
            if not (destination.isdigit() and len(destination) == 11 and destination.startswith("48")):
                self._send(sock, client, "submit_sm_resp", pdu.sequence, 0x0B, message_id="")
                return True
            message_id = uuid.uuid4().hex[:16]
            state.submitted.append(
                {
                    "id": message_id,
                    "to": destination,
                    "from": _text(pdu.source_addr),
                    "data": bytes(pdu.short_message or b""),
                    "data_coding": pdu.data_coding,
                    "esm_class": pdu.esm_class,
                }
            )
            if pdu.registered_delivery & 0x01:
                receipt = (
                    f"id:{message_id} sub:001 dlvrd:001 submit date:2612052200 done date:2612052200 "
                    "stat:DELIVRD err:000 text:"
                ).encode()
                state.waiting.append(
                    smpp.make_pdu(
                        "deliver_sm",
                        client=client,
                        source_addr=destination,
                        destination_addr=_text(pdu.source_addr),
                        esm_class=0x04,
                        short_message=receipt,
                        receipted_message_id=message_id,
                        message_state=2,
                    )
                )
        self._send(sock, client, "submit_sm_resp", pdu.sequence, 0, message_id=message_id)
        return True

    def _flush(self, sock: socket.socket, client: _Client) -> None:
        with self.state.lock:
            waiting, self.state.waiting = self.state.waiting, []
        for pdu in waiting:
            pdu.sequence = client.next_sequence()
            sock.sendall(pdu.generate())

    @staticmethod
    def _send(sock: socket.socket, client: _Client, command: str, sequence: int, status: int, **fields: Any) -> None:
        response = smpp.make_pdu(command, client=client, status=status, **fields)
        response.sequence = sequence
        sock.sendall(response.generate())


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")


class FakeSmsc:
    def __init__(self, port: int = 0) -> None:
        self.state = State()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSmsc:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def phone_sends(self, sender: str, text: str, to: str = "48500100200") -> None:
        """An SMS from a phone, delivered to the next bound session."""
        with self.state.lock:
            self.state.waiting.append(
                smpp.make_pdu(
                    "deliver_sm",
                    client=_Client(),
                    source_addr=sender,
                    destination_addr=to,
                    esm_class=0x00,
                    data_coding=0x08,
                    short_message=text.encode("utf-16-be"),
                )
            )

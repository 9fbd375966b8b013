"""A faithful stand-in for SMSAPI.pl's HTTP API on loopback, for the gateway's tests.

It speaks what the real service does for ``POST /sms.do`` (form fields, ``format=json``): a Bearer
token, ``to`` as international digits, ``from`` a registered sender name, ``idx`` with ``check_idx``
refusing a reference already used; answers ``{"count", "list": [{"id", "points", "number",
"date_sent", "submitted_number", "status", "idx", "parts"}]}`` or ``{"error", "message"}`` with
``invalid_numbers``. It can be told to throttle (answer with an error that says "try later"), or to
fail at the HTTP level. It builds the delivery-report and inbound callbacks SMSAPI would send.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TOKEN = "test-token-123"
SENDERS = {"UMLodz", "LodzCKM", "Okienko"}


@dataclass
class State:
    sent: list[dict[str, Any]] = field(default_factory=list)
    used_idx: set[str] = field(default_factory=set)
    throttle: int = 0  # answer this many requests with a "try later" error
    http_error: int = 0  # answer this many requests with HTTP 503
    lock: threading.Lock = field(default_factory=threading.Lock)


def _parts(text: str) -> int:
    from okienko.channels.sms import encoding

    return max(1, encoding.plan(text).segments)


class Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        if self.path.rstrip("/") != "/sms.do":
            self._answer(404, {"error": 404, "message": "Not found"})
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, {"error": 101, "message": "Authorization failed"})
            return
        state = self.state
        with state.lock:
            if state.http_error:
                state.http_error -= 1
                self._answer(503, {"error": 999, "message": "Service unavailable"})
                return
            if state.throttle:
                state.throttle -= 1
                self._answer(200, {"error": 201, "message": "System internal error, try again later"})
                return
            if form.get("format") != "json":
                self._answer(200, {"error": 1, "message": "format"})
                return
            number, sender, text = form.get("to", ""), form.get("from", ""), form.get("message", "")
            if not number.isdigit() or len(number) != 11 or not number.startswith("48"):
                self._answer(
                    200,
                    {
                        "invalid_numbers": [{"number": number, "submitted_number": number, "message": "Invalid phone"}],
                        "error": 13,
                        "message": "No correct phone numbers",
                    },
                )
                return
            if sender not in SENDERS:
                self._answer(200, {"error": 14, "message": "Invalid sender field"})
                return
            if not text:
                self._answer(200, {"error": 11, "message": "Message is empty"})
                return
            idx = form.get("idx", "")
            if form.get("check_idx") == "1" and idx and idx in state.used_idx:
                self._answer(200, {"error": 53, "message": "Not unique idx parameter"})
                return
            state.used_idx.add(idx)
            message_id = uuid.uuid4().hex[:24].upper()
            record = {"id": message_id, "to": number, "from": sender, "text": text, "idx": idx, "parts": _parts(text)}
            state.sent.append(record)
        self._answer(
            200,
            {
                "count": 1,
                "list": [
                    {
                        "id": message_id,
                        "points": 0.16 * record["parts"],
                        "number": number,
                        "date_sent": int(time.time()),
                        "submitted_number": number,
                        "status": "QUEUE",
                        "idx": idx,
                        "parts": record["parts"],
                    }
                ],
            },
        )


class FakeSmsapi:
    def __init__(self) -> None:
        self.state = State()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSmsapi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def report(self, message_id: str, status_name: str = "DELIVERED") -> dict[str, str]:
        """The query of the delivery-report callback SMSAPI makes for one message."""
        codes = {"DELIVERED": "404", "UNDELIVERED": "405", "EXPIRED": "402", "SENT": "403"}
        return {
            "MsgId": message_id,
            "status": codes.get(status_name, "408"),
            "status_name": status_name,
            "idx": next((m["idx"] for m in self.state.sent if m["id"] == message_id), ""),
            "donedate": str(int(time.time())),
            "username": "okienko",
            "points": "0.16",
        }

    @staticmethod
    def inbound(sender: str, text: str, to: str = "48500100200") -> dict[str, str]:
        return {
            "sms_to": to,
            "sms_from": sender,
            "sms_text": text,
            "sms_date": str(int(time.time())),
            "username": "okienko",
        }

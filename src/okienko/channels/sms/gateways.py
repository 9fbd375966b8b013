"""SMS gateways behind one interface.

A gateway submits outgoing messages (each possibly several segments) and says, per message,
whether the operator took it (with the operator's ids, to match delivery reports later), must be
tried again later (throttled, connection lost) or refused it for good (an invalid number). It also
hands over what came in: messages from phones and delivery reports.

``FileGateway`` is the embedded default: every outgoing message is a JSON file in
``var/sms/outbox/`` (what an operator would have received), with a delivery report written to
``var/sms/reports/`` at once; dropping a file into ``var/sms/inbox/`` is an SMS from a phone.
Operator gateways (SMSAPI.pl's HTTP API, SMPP 3.4) register themselves the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import phonenumbers
from django.conf import settings

from okienko.channels.sms import encoding
from okienko.core import clock

log = logging.getLogger(__name__)

MAX_INBOUND_BYTES = 64 * 1024


class InvalidNumber(ValueError):
    """The text is not a phone number SMS can reach."""


def e164(number: str, region: str = "PL") -> str:
    """``601 234 567`` → ``+48601234567``; raises :class:`InvalidNumber` for anything else."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(number)
    kind = phonenumbers.number_type(parsed)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.UNKNOWN,
    ):
        raise InvalidNumber(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Outgoing:
    reference: str  # ours (the notification's uuid): comes back in delivery reports
    to: str  # E.164
    text: str
    sender: str
    encoding: str = "gsm7"


@dataclass(frozen=True)
class Submitted:
    provider_ids: list[str]
    segments: int


@dataclass(frozen=True)
class Refused:
    reason: str
    temporary: bool


@dataclass(frozen=True)
class Incoming:
    sender: str  # E.164 when it parses
    text: str
    received_at: dt.datetime
    provider_id: str = ""
    to: str = ""


@dataclass(frozen=True)
class Report:
    provider_id: str
    status: str  # delivered, failed, expired
    at: dt.datetime
    detail: str = ""


@dataclass
class Received:
    messages: list[Incoming] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


class Gateway(Protocol):
    name: str

    def send(self, batch: Sequence[Outgoing]) -> Iterator[tuple[Outgoing, Submitted | Refused]]: ...

    def receive(self) -> Received: ...


class FileGateway:
    """One JSON file per message under ``var/sms`` (see the module docstring)."""

    name = "file"

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or Path(settings.VAR_DIR) / "sms")

    def _folder(self, name: str) -> Path:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def send(self, batch: Sequence[Outgoing]) -> Iterator[tuple[Outgoing, Submitted | Refused]]:
        outbox, reports = self._folder("outbox"), self._folder("reports")
        for message in batch:
            parts = encoding.split(message.text, message.encoding)
            provider_id = uuid.uuid4().hex
            now = clock.now()
            record = {
                "id": provider_id,
                "reference": message.reference,
                "to": message.to,
                "from": message.sender,
                "encoding": message.encoding,
                "segments": len(parts),
                "parts": parts,
                "text": message.text,
                "submitted_at": now.isoformat(),
            }
            stamp = now.strftime("%Y%m%dT%H%M%S")
            _write_atomically(outbox / f"{stamp}-{provider_id}.json", record)
            _write_atomically(
                reports / f"{stamp}-{provider_id}.json",
                {"id": provider_id, "status": "delivered", "at": now.isoformat()},
            )
            yield message, Submitted([provider_id], len(parts))

    def receive(self) -> Received:
        found = Received()
        done = self._folder("done")
        for path in sorted(self._folder("reports").glob("*.json")):
            try:
                data = json.loads(path.read_text("utf-8"))
                found.reports.append(
                    Report(str(data["id"]), str(data["status"]), dt.datetime.fromisoformat(data["at"]))
                )
            except (ValueError, KeyError, TypeError, OSError) as exc:
                found.rejected.append((path.name, f"bad delivery report: {exc}"))
            os.replace(path, done / path.name)
        for path in sorted(self._folder("inbox").iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                found.messages.append(_incoming_file(path))
            except (ValueError, KeyError, TypeError, OSError, UnicodeDecodeError) as exc:
                found.rejected.append((path.name, str(exc)))
            os.replace(path, done / f"{clock.now():%Y%m%dT%H%M%S}-{path.name}")
        return found


def _incoming_file(path: Path) -> Incoming:
    """An SMS dropped as a file: JSON ``{"from": "+48…", "text": "…"}``, or plain text whose first
    line is ``From: +48…`` and the rest the message."""
    if path.stat().st_size > MAX_INBOUND_BYTES:
        raise ValueError("the file is too large for an SMS")
    raw = path.read_text("utf-8")
    if path.suffix == ".json":
        data = json.loads(raw)
        sender, text, to = str(data["from"]), str(data["text"]), str(data.get("to", ""))
    else:
        head, _, text = raw.partition("\n")
        if not head.lower().startswith("from:"):
            raise ValueError("the first line must be 'From: <number>'")
        sender, to = head.split(":", 1)[1].strip(), ""
        second, _, rest = text.partition("\n")
        if second.lower().startswith("to:"):  # an optional second line: the office's number written to
            to, text = second.split(":", 1)[1].strip(), rest
    if to:
        with suppress(InvalidNumber):
            to = e164(to)
    return Incoming(sender=e164(sender), text=text.strip()[:2000], received_at=clock.now(), to=to)


def _write_atomically(path: Path, data: object) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temporary, path)


_factories: dict[str, Callable[[], Gateway]] = {"file": FileGateway}


def register(name: str, factory: Callable[[], Gateway]) -> None:
    _factories[name] = factory


def gateway() -> Gateway:
    """The configured gateway (``OKIENKO_SMS_GATEWAY``; ``file`` by default)."""
    name = str(getattr(settings, "OKIENKO_SMS_GATEWAY", "") or "file")
    if name not in _factories:
        import importlib

        importlib.import_module(f"okienko.channels.sms.{name}")  # an operator's gateway registers itself
    return _factories[name]()

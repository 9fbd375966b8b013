"""SMPP 3.4 through ``smpplib``: bind as a transceiver, submit each message as one or more
``submit_sm`` (concatenated with a UDH, GSM-7 as the SMSC default alphabet or UCS-2), up to
``WINDOW`` unanswered at a time, and take what the SMSC delivers (``deliver_sm``: delivery
receipts and messages from phones), acknowledging each.

A connection lives for one batch (the notification worker's round) or one receiving window; a
dropped connection, a refused bind or a throttled SMSC makes the rest of the batch temporary
refusals, which the work queue retries with its back-off — that is the reconnect with back-off.
Settings: ``OKIENKO_SMPP_HOST``, ``_PORT``, ``_SYSTEM_ID``, ``_PASSWORD``, ``_SYSTEM_TYPE``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from okienko.channels.sms import encoding
from okienko.channels.sms.gateways import Incoming, Outgoing, Received, Refused, Report, Submitted, e164, register
from okienko.core import clock

log = logging.getLogger(__name__)

# Unanswered submit_sm at most (OKIENKO_SMPP_WINDOW). 1 by default: when the line drops, the one
# message in flight is the only one whose fate is unknown (the SMSC may have taken it), so nothing
# else can go twice; a larger window pays off on slow links at the price of up to that many repeats.
WINDOW = 1
TIMEOUT = 10.0
RECEIVE_SECONDS = 2.0  # how long ``receive`` listens for what the SMSC holds for us
# Command statuses worth trying again later: throttled, queue full, system error, bind problems.
TEMPORARY = {0x58, 0x14, 0x08, 0x0D, 0x04, 0x45, 0x64}
# Receipt ``stat:`` values and what they mean for the message.
RECEIPT = {"DELIVRD": "delivered", "UNDELIV": "failed", "REJECTD": "failed", "DELETED": "failed", "EXPIRED": "expired"}
_STAT = re.compile(r"\bstat:(\w+)", re.IGNORECASE)
_ID = re.compile(r"\bid:(\S+)", re.IGNORECASE)


@dataclass
class _Pending:
    message: Outgoing
    parts: int
    ids: list[str] = field(default_factory=list)
    refused: Refused | None = None


def encode_parts(text: str, kind: str) -> tuple[list[bytes], int, int]:
    """``(parts, data_coding, esm_class)``: each part's bytes with its UDH when concatenated."""
    from smpplib import gsm

    pieces = encoding.split(text, kind)
    if kind == "gsm7":
        encoded, coding = [gsm.gsm_encode(piece) for piece in pieces], 0x00
    else:
        encoded, coding = [piece.encode("utf-16-be") for piece in pieces], 0x08
    if len(encoded) == 1:
        return encoded, coding, 0x00
    reference = random.randint(0, 255)  # noqa: S311 - a concatenation reference, not a secret
    total = len(encoded)
    with_udh = [bytes([0x05, 0x00, 0x03, reference, total, n + 1]) + part for n, part in enumerate(encoded)]
    return with_udh, coding, 0x40


class SmppGateway:
    name = "smpp"

    def __init__(self, host: str | None = None, port: int | None = None) -> None:
        self.host = host or str(getattr(settings, "OKIENKO_SMPP_HOST", "127.0.0.1"))
        self.port = int(port or str(getattr(settings, "OKIENKO_SMPP_PORT", 2775)))
        self.system_id = str(getattr(settings, "OKIENKO_SMPP_SYSTEM_ID", ""))
        self.password = str(getattr(settings, "OKIENKO_SMPP_PASSWORD", ""))
        self.system_type = str(getattr(settings, "OKIENKO_SMPP_SYSTEM_TYPE", ""))
        self.window = max(1, int(str(getattr(settings, "OKIENKO_SMPP_WINDOW", WINDOW))))
        self.held: Received = Received()  # what the SMSC delivered while we were sending

    def _connect(self) -> Any:
        from smpplib.client import Client

        client = Client(self.host, self.port, timeout=TIMEOUT, allow_unknown_opt_params=True)
        client.connect()
        client.bind_transceiver(system_id=self.system_id, password=self.password, system_type=self.system_type)
        return client

    def send(self, batch: Sequence[Outgoing]) -> Iterator[tuple[Outgoing, Submitted | Refused]]:
        from smpplib import exceptions

        if not batch:
            return
        try:
            client = self._connect()
        except (exceptions.ConnectionError, exceptions.PDUError, OSError) as exc:
            for message in batch:
                yield message, Refused(f"SMSC unreachable: {exc}", temporary=True)
            return
        pending: dict[int, _Pending] = {}
        by_sequence: dict[int, _Pending] = {}
        order: list[_Pending] = []
        broken = ""
        try:
            for message in batch:
                item = _Pending(message, 0)
                order.append(item)
                if broken:
                    continue
                try:
                    parts, coding, esm = encode_parts(message.text, message.encoding)
                except UnicodeError as exc:
                    item.refused = Refused(f"cannot encode: {exc}", temporary=False)
                    continue
                item.parts = len(parts)
                for part in parts:
                    while len(by_sequence) >= self.window:
                        self._read_one(client, by_sequence)
                    pdu = client.send_message(
                        source_addr_ton=0x05,
                        source_addr_npi=0x00,
                        source_addr=message.sender,
                        dest_addr_ton=0x01,
                        dest_addr_npi=0x01,
                        destination_addr=message.to.lstrip("+"),
                        short_message=part,
                        data_coding=coding,
                        esm_class=esm,
                        registered_delivery=0x01,
                    )
                    by_sequence[pdu.sequence] = item
                    pending[id(item)] = item
            deadline = time.monotonic() + TIMEOUT
            while by_sequence and time.monotonic() < deadline:
                self._read_one(client, by_sequence)
            if by_sequence:
                broken = "no answer from the SMSC in time"
        except (TimeoutError, exceptions.ConnectionError, exceptions.PDUError, OSError) as exc:
            broken = f"connection to the SMSC lost: {exc}"
            self._drain(client, by_sequence)
        finally:
            self._close(client)
            self._hand_over_held()
        for item in order:
            if item.refused is not None:
                yield item.message, item.refused
            elif item.parts and len(item.ids) == item.parts:
                yield item.message, Submitted(item.ids, item.parts)
            else:
                yield item.message, Refused(broken or "not submitted", temporary=True)

    def _hand_over_held(self) -> None:
        """Receipts and messages the SMSC delivered while we were sending are processed now, like
        those ``receive`` fetches (nothing the SMSC delivered may be dropped)."""
        held, self.held = self.held, Received()
        if held.reports or held.messages or held.rejected:
            from okienko.channels.sms import inbound

            inbound.process(held)

    def _drain(self, client: Any, by_sequence: dict[int, _Pending]) -> None:
        """After a failure, read the answers the SMSC sent before the line went, so that a message
        it accepted is not sent again (bounded; at most a window's worth can stay unknown)."""
        from smpplib import exceptions

        with contextlib.suppress(TimeoutError, exceptions.ConnectionError, exceptions.PDUError, OSError):
            if client._socket is not None:
                client._socket.settimeout(0.5)
            for _answer in range(self.window * 4):
                if not by_sequence:
                    break
                self._read_one(client, by_sequence)

    def _read_one(self, client: Any, by_sequence: dict[int, _Pending]) -> None:
        pdu = client.read_pdu()
        if pdu.command == "submit_sm_resp":
            item = by_sequence.pop(pdu.sequence, None)
            if item is None:
                return
            if pdu.status == 0:
                message_id = pdu.message_id.decode() if isinstance(pdu.message_id, bytes) else str(pdu.message_id)
                item.ids.append(message_id)
            elif item.refused is None:
                item.refused = Refused(f"SMSC status 0x{pdu.status:02X}", temporary=pdu.status in TEMPORARY)
        elif pdu.command == "deliver_sm":
            self._take(client, pdu, self.held)
        elif pdu.command == "enquire_link":
            self._answer(client, "enquire_link_resp", pdu.sequence)
        elif pdu.command == "generic_nack":
            by_sequence.pop(pdu.sequence, None)

    def _take(self, client: Any, pdu: Any, into: Received) -> None:
        """A ``deliver_sm``: a delivery receipt (esm_class bit 2) or a message from a phone."""
        raw = pdu.short_message or b""
        if pdu.esm_class & 0x04:
            text = raw.decode("latin-1", "replace")
            found_id, found_stat = _ID.search(text), _STAT.search(text)
            receipted = getattr(pdu, "receipted_message_id", None)
            provider_id = (receipted.decode() if isinstance(receipted, bytes) else receipted) or (
                found_id.group(1) if found_id else ""
            )
            status = RECEIPT.get(found_stat.group(1).upper()) if found_stat else None
            if provider_id and status:
                into.reports.append(Report(provider_id, status, clock.now(), found_stat.group(1) if found_stat else ""))
        else:
            body = raw[raw[0] + 1 :] if pdu.esm_class & 0x40 and raw else raw
            text = body.decode("utf-16-be", "replace") if pdu.data_coding == 0x08 else _gsm_decode(body)
            source = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr)
            target = pdu.destination_addr.decode() if isinstance(pdu.destination_addr, bytes) else ""
            try:
                into.messages.append(Incoming(e164("+" + source.lstrip("+")), text, clock.now(), to=f"+{target}"))
            except ValueError as exc:
                into.rejected.append((f"deliver_sm from {source}", str(exc)))
        self._answer(client, "deliver_sm_resp", pdu.sequence)

    @staticmethod
    def _answer(client: Any, command: str, sequence: int) -> None:
        from smpplib import smpp

        response = smpp.make_pdu(command, client=client)
        response.sequence = sequence
        client.send_pdu(response)

    def _close(self, client: Any, into: Received | None = None) -> None:
        """Unbind, taking (and acknowledging) whatever the SMSC still delivers before it answers,
        so that no receipt is lost between the last response and the unbind."""
        from smpplib import exceptions, smpp

        with contextlib.suppress(TimeoutError, exceptions.ConnectionError, exceptions.PDUError, OSError):
            unbind = smpp.make_pdu("unbind", client=client)
            client.send_pdu(unbind)
            for _pdu in range(1000):  # bounded: an SMSC that never answers is left behind
                pdu = client.read_pdu()
                if pdu.command == "unbind_resp":
                    break
                if pdu.command == "deliver_sm":
                    self._take(client, pdu, into if into is not None else self.held)
                elif pdu.command == "enquire_link":
                    self._answer(client, "enquire_link_resp", pdu.sequence)
        with contextlib.suppress(OSError):
            client.disconnect()

    def receive(self) -> Received:
        """Listen for what the SMSC holds for us (receipts, messages) for a short window."""
        from smpplib import exceptions

        found, self.held = self.held, Received()
        try:
            client = self._connect()
        except (exceptions.ConnectionError, exceptions.PDUError, OSError):
            return found
        try:
            client._socket.settimeout(0.2)
            deadline = time.monotonic() + RECEIVE_SECONDS
            while time.monotonic() < deadline:
                try:
                    pdu = client.read_pdu()
                except TimeoutError:
                    continue
                if pdu.command == "deliver_sm":
                    self._take(client, pdu, found)
                elif pdu.command == "enquire_link":
                    self._answer(client, "enquire_link_resp", pdu.sequence)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError):
            pass
        finally:
            if client._socket is not None:
                client._socket.settimeout(TIMEOUT)
            self._close(client, found)
        return found


def _gsm_decode(data: bytes) -> str:
    from smpplib import gsm

    table = gsm.GSM_CHARACTER_TABLE
    out, escape = [], False
    for byte in data:
        if byte == 0x1B:
            escape = True
            continue
        index = byte + 0x80 if escape else byte
        escape = False
        out.append(table[index] if index < len(table) else "?")
    return "".join(out)


register("smpp", SmppGateway)

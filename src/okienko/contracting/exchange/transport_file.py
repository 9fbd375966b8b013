"""The file transport: envelopes for one partner as a JSON Lines file, and the import of one
(ADR 0063 §6, ``docs/contracting/exchange.md``).

An export file is UTF-8 JSON Lines. The first line is a small, unsigned, informational header::

    {"format": "okienko-exchange", "version": 1, "sender": "PL-NIP-…", "receiver": "PL-NIP-…",
     "created": "2026-12-06T10:00:00Z", "count": 3}

and every further line is one signed envelope (``envelope.seal``) — each one is authenticated on its
own, so the header is never trusted. Exporting seals every message still pending for the partner
afresh with the file's validity (thirty days) and marks it ``sent``; it becomes ``acknowledged``
(or ``refused``) when the partner's ``ack`` comes back in a file from them.

Importing reads the lines one by one: a damaged or truncated line is refused as ``malformed`` and
the others are still processed; each envelope goes through ``inbound.receive`` (which verifies,
records, applies or refuses it and queues the ``ack``), in the order of the envelopes' creation
within a correlation chain. Importing the same file again answers ``duplicate`` for every line and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import envelope, inbound, keys, outbound
from okienko.contracting.exchange.models import ExchangeMessage, Partner
from okienko.core import audit, clock
from okienko.core.actors import SCHEDULER, Actor

FORMAT = "okienko-exchange"
VERSION = 1
OUTCOMES = ("applied", "waiting", "duplicate", "refused")


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def header_line(*, sender: str | None, receiver: str, count: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "sender": sender,
        "receiver": receiver,
        "created": _iso(clock.now()),
        "count": count,
    }


def seal_pending(
    messages: list[ExchangeMessage], *, transport: str, actor: Actor = SCHEDULER
) -> tuple[list[str], list[ExchangeMessage]]:
    """Seal each message afresh for ``transport`` and mark it ``sent``; return the envelopes and
    the messages sealed. A message that cannot be sealed (the partner has no valid encryption
    key, our institution no key) becomes ``failed`` with the reason and is left out."""
    lines: list[str] = []
    sealed: list[ExchangeMessage] = []
    for message in messages:
        try:
            text = outbound.seal_for_transport(message, transport=transport)
        except (outbound.NoPartnerKey, keys.NoKey) as exc:
            ExchangeMessage.objects.filter(pk=message.pk).update(
                status=ExchangeMessage.Status.FAILED, detail=str(exc)[:2000], updated_at=clock.now()
            )
            continue
        lines.append(text)
        sealed.append(message)
    now = clock.now()
    with transaction.atomic():
        for message in sealed:
            message.status = ExchangeMessage.Status.SENT
            message.attempts += 1
            message.updated_at = now
            message.save(update_fields=["status", "attempts", "updated_at"])
    return lines, sealed


def exportable(partner: Partner, *, sender: Organisation | None = None) -> list[ExchangeMessage]:
    """What the next file for ``partner`` carries: every message not yet acknowledged, except
    acknowledgements already sent once (an ``ack`` is never acknowledged itself)."""
    pending = outbound.pending_for(partner)
    return [
        m
        for m in pending
        if (sender is None or m.organisation_id == sender.pk)
        and not (m.type == "ack" and m.status == ExchangeMessage.Status.SENT)
    ]


def export_file(partner: Partner, *, sender: Organisation | None = None, actor: Actor = SCHEDULER) -> bytes:
    """The JSON Lines file of every message pending for ``partner`` (from ``sender`` only, when
    given), freshly sealed for a file; the messages become ``sent``."""
    lines, sealed = seal_pending(exportable(partner, sender=sender), transport=ExchangeMessage.Transport.FILE)
    senders = sorted({m.sender for m in sealed})
    header = header_line(
        sender=senders[0] if len(senders) == 1 else (keys.institution_id(sender) if sender else None),
        receiver=partner.institution_id,
        count=len(lines),
    )
    audit.record(
        "contracting.exchange.file_exported",
        actor=actor,
        obj=partner,
        organisation_id=sender.pk if sender else None,
        data={"partner": partner.institution_id, "messages": [str(m.message_id) for m in sealed]},
    )
    return "\n".join([json.dumps(header, separators=(",", ":")), *lines]).encode() + b"\n"


@dataclass
class LineResult:
    line: int
    message_id: str
    type: str
    outcome: str
    reason: str = ""
    detail: str = ""

    @property
    def text(self) -> str:
        return str(envelope.REASONS.get(self.reason, "")) if self.reason else ""


@dataclass
class ImportReport:
    lines: list[LineResult] = field(default_factory=list)
    header: dict[str, Any] | None = None

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(result.outcome for result in self.lines)
        return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def reasons(self) -> dict[str, int]:
        return dict(Counter(result.reason for result in self.lines if result.reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "counts": self.counts,
            "lines": [
                {
                    "line": r.line,
                    "message_id": r.message_id,
                    "type": r.type,
                    "outcome": r.outcome,
                    "reason": r.reason,
                    "text": r.text,
                }
                for r in self.lines
            ],
        }


def _is_header(value: Any) -> bool:
    return isinstance(value, dict) and value.get("format") == FORMAT and "payload" not in value


def _order(entries: list[tuple[int, str, dict[str, Any]]]) -> list[tuple[int, str, dict[str, Any]]]:
    """Envelopes in file order, except that within one correlation chain they go by creation
    time (a chain's places in the file are kept, filled in the chain's order)."""
    chains: dict[str, list[int]] = {}
    for index, (_, _, head) in enumerate(entries):
        chain = str(head.get("correlation_id") or "")
        if chain:
            chains.setdefault(chain, []).append(index)
    ordered = list(entries)
    for places in chains.values():
        members = sorted((entries[i] for i in places), key=lambda e: (str(e[2].get("created") or ""), e[0]))
        for place, member in zip(places, members, strict=True):
            ordered[place] = member
    return ordered


def _created(text: str) -> str:
    try:
        outer = json.loads(text)
        return str(json.loads(envelope._b64d(outer["payload"])).get("created") or "")
    except (ValueError, TypeError, KeyError, AttributeError):
        return ""


def import_lines(data: bytes, *, transport: str = ExchangeMessage.Transport.FILE) -> ImportReport:
    """Receive every envelope of a JSON Lines body (see the module docstring)."""
    report = ImportReport()
    entries: list[tuple[int, str, dict[str, Any]]] = []
    refused: list[LineResult] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.strip(b"\r\t ")
        if not raw:
            continue
        try:
            text = raw.decode("utf-8")
            value = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            refused.append(_refused_line(number, raw))
            continue
        if number == 1 and _is_header(value):
            report.header = {k: value.get(k) for k in ("format", "version", "sender", "receiver", "created", "count")}
            continue
        head = envelope.peek(text)
        entries.append((number, text, {**head, "created": _created(text)}))
    results = list(refused)
    for number, text, head in _order(entries):
        receipt = inbound.receive(text, transport=transport)
        results.append(
            LineResult(
                line=number,
                message_id=str(head.get("id") or "")[:40],
                type=str(head.get("type") or "")[:40],
                outcome=receipt.outcome,
                reason=receipt.reason if receipt.outcome != "duplicate" else "duplicate",
                detail=receipt.detail[:500],
            )
        )
    report.lines = sorted(results, key=lambda r: r.line)
    return report


def _refused_line(number: int, raw: bytes) -> LineResult:
    """A line that is not JSON (a truncated file, a damaged copy) is refused and recorded."""
    receipt = inbound.receive(raw, transport=ExchangeMessage.Transport.FILE)
    return LineResult(number, "", "", "refused", receipt.reason or "malformed", receipt.detail[:500])


def import_file(data: bytes, *, actor: Actor = SCHEDULER, name: str = "") -> ImportReport:
    """Import an exchange file (idempotent: a second import of the same file is all duplicates)."""
    if len(data) > envelope.max_bytes():
        report = ImportReport(lines=[LineResult(0, "", "", "refused", "too_large", f"{len(data)} bytes")])
    else:
        report = import_lines(data, transport=ExchangeMessage.Transport.FILE)
    audit.record(
        "contracting.exchange.file_imported",
        actor=actor,
        data={"name": name[:200], "counts": report.counts, "reasons": report.reasons},
    )
    return report

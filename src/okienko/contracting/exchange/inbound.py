"""Messages from partners: verify, record, apply, acknowledge (ADR 0063).

``receive`` is the one entrance for every transport. It opens the envelope (``envelope.
open_envelope``: authenticity, freshness, addressee, replay, hash, schema), records the message,
and applies it through the handler registered for its type (``@handler("contract.offer")``) in
a savepoint: a handler that refuses (``Refused`` with ``wrong_contract``, ``scope_exceeded``,
``conflict``, ``state_refused``…) leaves nothing behind but the refusal; one that needs an earlier
message first raises ``Waiting`` and the message is applied later by ``retry_waiting``.
Every outcome is recorded (``ExchangeMessage``) and audited; the sender gets an ``ack`` — inline
over HTTPS, queued for the next file otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from okienko.contracting.exchange import envelope, outbound
from okienko.contracting.exchange.envelope import Opened, Refused
from okienko.contracting.exchange.models import Direction, ExchangeMessage, Partner
from okienko.core import audit, clock, secretbox
from okienko.core.actors import SystemActor
from okienko.core.models import AuditRecord

log = logging.getLogger(__name__)

Handler = Callable[[Opened, ExchangeMessage], None]
HANDLERS: dict[str, Handler] = {}
RETRY_AFTER = dt.timedelta(minutes=5)
MAX_WAIT = dt.timedelta(days=7)
ENVELOPE_KEPT = 200_000  # characters of a refused package kept as evidence


class Waiting(Exception):
    """The message refers to something not received yet (out of order): apply it later."""


def handler(type: str) -> Callable[[Handler], Handler]:
    """Register the function that applies messages of ``type`` on this installation."""

    def register(function: Handler) -> Handler:
        HANDLERS[type] = function
        return function

    return register


def actor_for(institution_id: str) -> SystemActor:
    """The actor a partner's change is applied (and audited) under."""
    return SystemActor(f"exchange:{institution_id}")


@dataclass
class Receipt:
    outcome: str  # applied | duplicate | refused | waiting
    reason: str = ""
    detail: str = ""
    message: ExchangeMessage | None = None
    ack: str = ""  # a signed ack envelope (HTTPS answers with it)

    @property
    def text(self) -> str:
        return str(envelope.REASONS.get(self.reason, "")) if self.reason else ""


def _audit_refusal(reason: str, detail: str, head: dict[str, Any], message: ExchangeMessage | None) -> None:
    audit.record(
        "contracting.exchange.refused",
        actor=actor_for(str(head.get("sender") or "unknown")[:60]),
        obj=message,
        organisation_id=message.organisation_id if message else None,
        data={"reason": reason, "detail": detail[:300], **{k: v for k, v in head.items() if v}},
        kind=AuditRecord.Kind.SECURITY,
    )


def _record_refused(raw: str | bytes, refusal: Refused, transport: str) -> ExchangeMessage:
    head = refusal.header
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    now = clock.now()
    receiver = envelope.local_institution(str(head.get("receiver") or ""))
    message = ExchangeMessage.objects.create(
        direction=Direction.IN,
        message_id=_uuid(head.get("id")),
        correlation_id=_uuid(head.get("correlation_id")),
        type=str(head.get("type") or "")[:40],
        sender=str(head.get("sender") or "")[:40],
        receiver=str(head.get("receiver") or "")[:40],
        partner=_partner(str(head.get("sender") or "")),
        organisation=receiver,
        contract_uuid=str(head.get("contract") or "")[:36],
        transport=transport,
        status=ExchangeMessage.Status.REFUSED,
        reason=refusal.reason,
        detail=refusal.detail[:2000],
        envelope=text[:ENVELOPE_KEPT],
        envelope_sha256=envelope.sha256(text.encode()),
        recorded_at=now,
        updated_at=now,
    )
    _audit_refusal(refusal.reason, refusal.detail, head, message)
    return message


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _partner(institution_id: str) -> Partner | None:
    return Partner.objects.filter(institution_id=institution_id).first()


def _ack(header: dict[str, Any], outcome: str, refusal: Refused | None) -> dict[str, Any]:
    body: dict[str, Any] = {"of": header["id"], "outcome": outcome}
    if refusal is not None:
        body["reason"] = refusal.reason
        if refusal.detail:
            body["detail"] = refusal.detail[:4000]
    return body


def _acknowledge(
    header: dict[str, Any], opened: Opened | None, outcome: str, refusal: Refused | None, transport: str
) -> str:
    """An ack for the sender: returned signed (HTTPS) or queued for the next file. No ack is sent
    for an ack, nor for a package whose sender could not be authenticated."""
    if opened is None or header.get("type") == "ack":
        return ""
    body = _ack(header, outcome, refusal)
    if transport == ExchangeMessage.Transport.HTTPS:
        sealed = envelope.seal(
            sender=opened.receiver,
            receiver=opened.partner.institution_id,
            type="ack",
            body=body,
            contract=header.get("contract"),
            correlation_id=header["id"],
        )
        return sealed.envelope
    waiting = ExchangeMessage.objects.filter(
        direction=Direction.OUT,
        partner=opened.partner,
        type="ack",
        correlation_id=header["id"],
        status__in=[ExchangeMessage.Status.QUEUED, ExchangeMessage.Status.FAILED],
    )
    if waiting.exists():
        # An ack for this message still waits for the next file: a file imported twice queues
        # no second one.
        return ""
    outbound.queue_message(
        sender=opened.receiver,
        partner=opened.partner,
        type="ack",
        body=body,
        contract=header.get("contract"),
        correlation_id=header["id"],
    )
    return ""


def receive(raw: str | bytes, *, transport: str) -> Receipt:
    """Verify, record and apply one envelope; never raises for anything the sender did wrong."""
    try:
        opened = envelope.open_envelope(raw)
    except Refused as refusal:
        if refusal.reason == "duplicate":
            existing = (
                ExchangeMessage.objects.filter(
                    direction=Direction.IN, sender=refusal.header.get("sender"), message_id=refusal.header.get("id")
                )
                .exclude(status=ExchangeMessage.Status.REFUSED)
                .first()
            )
            ack = ""
            if existing is not None and existing.partner is not None and existing.organisation is not None:
                fake = Opened(
                    header=refusal.header,
                    body={},
                    partner=existing.partner,
                    receiver=existing.organisation,
                    kid="",
                    envelope="",
                    envelope_sha256="",
                    encrypted=False,
                )
                ack = _acknowledge(refusal.header, fake, "duplicate", None, transport)
            return Receipt("duplicate", "duplicate", refusal.detail, existing, ack)
        message = _record_refused(raw, refusal, transport)
        return Receipt("refused", refusal.reason, refusal.detail, message)
    return _apply(opened, transport)


def _store(opened: Opened, transport: str) -> ExchangeMessage:
    header = opened.header
    now = clock.now()
    return ExchangeMessage.objects.create(
        direction=Direction.IN,
        message_id=header["id"],
        correlation_id=header.get("correlation_id"),
        type=header["type"],
        sender=header["sender"],
        receiver=header["receiver"],
        partner=opened.partner,
        organisation=opened.receiver,
        contract_uuid=header.get("contract") or "",
        purpose=header.get("purpose") or "",
        payload_sha256=header["payload_sha256"],
        envelope_sha256=opened.envelope_sha256,
        created=opened.created,
        transport=transport,
        status=ExchangeMessage.Status.ACCEPTED,
        envelope=opened.envelope,
        timestamp_token=opened.timestamp_token,
        recorded_at=now,
        updated_at=now,
    )


def _run(opened: Opened, message: ExchangeMessage) -> tuple[str, Refused | None]:
    function = HANDLERS.get(opened.header["type"])
    if function is None:
        return "refused", Refused("state_refused", f"this installation does not apply {opened.header['type']}")
    try:
        with transaction.atomic():
            function(opened, message)
    except Refused as refusal:
        return "refused", refusal
    except Waiting as waiting:
        return "waiting", Refused("out_of_order", str(waiting))
    return "applied", None


def _apply(opened: Opened, transport: str) -> Receipt:
    try:
        with transaction.atomic():
            message = _store(opened, transport)
    except IntegrityError:
        # Another worker recorded the same message id a moment ago.
        return Receipt("duplicate", "duplicate", str(opened.header["id"]))
    outcome, refusal = _run(opened, message)
    now = clock.now()
    with transaction.atomic():
        if outcome == "applied":
            message.status = ExchangeMessage.Status.APPLIED
        elif outcome == "waiting":
            # Kept (sealed at rest) to apply once its predecessor arrives.
            message.body_sealed = secretbox.seal(envelope.canonical(opened.body).decode())
            message.next_attempt_at = now + RETRY_AFTER
        else:
            message.status = ExchangeMessage.Status.REFUSED
        message.reason = refusal.reason if refusal else ""
        message.detail = refusal.detail[:2000] if refusal else ""
        message.updated_at = now
        message.save(update_fields=["status", "reason", "detail", "body_sealed", "next_attempt_at", "updated_at"])
        if outcome == "refused" and refusal is not None:
            _audit_refusal(refusal.reason, refusal.detail, opened.header, message)
        else:
            audit.record(
                f"contracting.exchange.{outcome}",
                actor=actor_for(opened.header["sender"]),
                obj=message,
                organisation_id=opened.receiver.pk,
                data={k: opened.header.get(k) for k in ("id", "type", "contract", "correlation_id")},
            )
        ack = "" if outcome == "waiting" else _acknowledge(opened.header, opened, outcome, refusal, transport)
    return Receipt(outcome, refusal.reason if refusal else "", refusal.detail if refusal else "", message, ack)


def retry_waiting(*, now: dt.datetime | None = None) -> int:
    """Apply messages that were waiting for an earlier one; give up after ``MAX_WAIT``."""
    now = now or clock.now()
    done = 0
    waiting = ExchangeMessage.objects.filter(
        direction=Direction.IN, status=ExchangeMessage.Status.ACCEPTED, reason="out_of_order", next_attempt_at__lte=now
    ).select_related("partner", "organisation")
    for message in waiting.order_by("created", "id")[:1000]:
        if message.partner is None or message.organisation is None:
            continue
        opened = Opened(
            header={
                "id": str(message.message_id),
                "type": message.type,
                "sender": message.sender,
                "receiver": message.receiver,
                "contract": message.contract_uuid or None,
                "correlation_id": str(message.correlation_id) if message.correlation_id else None,
                "purpose": message.purpose,
                "payload_sha256": message.payload_sha256,
            },
            body=json.loads(secretbox.unseal(message.body_sealed)),
            partner=message.partner,
            receiver=message.organisation,
            kid="",
            envelope=message.envelope,
            envelope_sha256=message.envelope_sha256,
            encrypted=False,
            created=message.created or now,
        )
        outcome, refusal = _run(opened, message)
        if outcome == "waiting" and message.recorded_at + MAX_WAIT > now:
            message.attempts += 1
            message.next_attempt_at = now + RETRY_AFTER * min(2**message.attempts, 48)
            message.save(update_fields=["attempts", "next_attempt_at"])
            continue
        if outcome == "waiting":
            outcome, refusal = "refused", Refused("out_of_order", "the earlier message never arrived")
        with transaction.atomic():
            message.status = ExchangeMessage.Status.APPLIED if outcome == "applied" else ExchangeMessage.Status.REFUSED
            message.reason = refusal.reason if refusal else ""
            message.detail = refusal.detail[:2000] if refusal else ""
            message.body_sealed = ""
            message.next_attempt_at = None
            message.updated_at = now
            message.save(update_fields=["status", "reason", "detail", "body_sealed", "next_attempt_at", "updated_at"])
            _acknowledge(opened.header, opened, outcome, refusal, ExchangeMessage.Transport.FILE)
        done += 1
    return done


@handler("ack")
def apply_ack(opened: Opened, message: ExchangeMessage) -> None:
    """The partner's answer to one of our messages: acknowledged, or refused with its reason."""
    sent = ExchangeMessage.objects.filter(
        direction=Direction.OUT, partner=opened.partner, message_id=opened.body["of"]
    ).first()
    if sent is None:
        raise Refused("out_of_order", f"no message {opened.body['of']} was sent to {opened.partner}")
    outcome = opened.body["outcome"]
    sent.status = ExchangeMessage.Status.REFUSED if outcome == "refused" else ExchangeMessage.Status.ACKNOWLEDGED
    sent.reason = opened.body.get("reason", "") if outcome == "refused" else ""
    sent.detail = opened.body.get("detail", "")[:2000] if outcome == "refused" else ""
    sent.updated_at = clock.now()
    sent.save(update_fields=["status", "reason", "detail", "updated_at"])

"""Messages to partners: queue now, seal per send (ADR 0063).

``queue_message`` records an outgoing message (status ``queued``) with its body sealed at rest;
a transport then calls ``seal_for_transport`` for each attempt, which signs (and, for personal
data, encrypts to the partner's current key) a fresh envelope with the transport's validity —
one hour over HTTPS, thirty days for a file — under the same message id and payload hash, so a
retry is recognised as the same message.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.db import transaction

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import catalogue, envelope, keys
from okienko.contracting.exchange.models import Direction, ExchangeMessage, KeyUse, Partner
from okienko.core import clock, secretbox

TTL: dict[str, dt.timedelta] = {
    ExchangeMessage.Transport.HTTPS: envelope.HTTPS_TTL,
    ExchangeMessage.Transport.FILE: envelope.FILE_TTL,
}


class NoPartnerKey(LookupError):
    """The partner has no valid encryption key to receive personal data."""


def transport_of(partner: Partner) -> str:
    """HTTPS when the partner has an endpoint, else files moved by hand."""
    return ExchangeMessage.Transport.HTTPS if partner.endpoint else ExchangeMessage.Transport.FILE


def encryption_key(partner: Partner) -> dict[str, Any]:
    """The partner's newest valid encryption key (not retired, not revoked, not expired)."""
    now = clock.now()
    for key in partner.keys.filter(use=KeyUse.ENCRYPT, revoked_at=None, retired_at=None).order_by("-added_at", "-id"):
        if key.expires_at is None or key.expires_at > now:
            return dict(key.public_jwk)
    raise NoPartnerKey(f"{partner} has no valid encryption key")


def queue_message(
    *,
    sender: Organisation,
    partner: Partner,
    type: str,
    body: dict[str, Any],
    contract: str | None = None,
    purpose: str = "",
    correlation_id: str | None = None,
    message_id: str | None = None,
) -> ExchangeMessage:
    """Record a message for ``partner`` from the local institution ``sender`` (inside the caller's
    transaction, so a rolled-back change sends nothing). The body is validated now."""
    problems = catalogue.errors(type, body)
    if problems:
        raise ValueError(f"{type} body does not follow its schema: {problems}")
    plain = envelope.canonical(body)
    now = clock.now()
    message = ExchangeMessage.objects.create(
        direction=Direction.OUT,
        message_id=message_id or uuid.uuid4(),
        correlation_id=correlation_id,
        type=type,
        sender=keys.institution_id(sender),
        receiver=partner.institution_id,
        partner=partner,
        organisation=sender,
        contract_uuid=contract or "",
        purpose=purpose,
        payload_sha256=envelope.sha256(plain),
        transport=transport_of(partner),
        status=ExchangeMessage.Status.QUEUED,
        body_sealed=secretbox.seal(plain.decode()),
        recorded_at=now,
        updated_at=now,
    )
    if message.transport == ExchangeMessage.Transport.HTTPS:
        # Pushed by the work queue once the caller's transaction commits (``transport_https``).
        from okienko.contracting.exchange import transport_https

        transport_https.enqueue(message)
    return message


def body_of(message: ExchangeMessage) -> dict[str, Any]:
    return dict(json.loads(secretbox.unseal(message.body_sealed)))


def seal_for_transport(message: ExchangeMessage, *, transport: str | None = None) -> str:
    """A freshly signed envelope of a queued (or failed, or sent-unacknowledged) message."""
    partner = message.partner
    if partner is None or message.organisation is None:
        raise ValueError("only an outgoing message to a partner can be sealed")
    transport = transport or message.transport or transport_of(partner)
    kind = catalogue.TYPES[message.type]
    sealed = envelope.seal(
        sender=message.organisation,
        receiver=partner.institution_id,
        type=message.type,
        body=body_of(message),
        encrypt_to_jwk=encryption_key(partner) if kind.personal else None,
        contract=message.contract_uuid or None,
        purpose=message.purpose,
        correlation_id=str(message.correlation_id) if message.correlation_id else None,
        message_id=str(message.message_id),
        ttl=TTL.get(transport, envelope.HTTPS_TTL),
    )
    with transaction.atomic():
        message.envelope = sealed.envelope
        message.envelope_sha256 = sealed.envelope_sha256
        message.timestamp_token = sealed.timestamp_token
        message.created = clock.now()
        message.transport = transport
        message.updated_at = clock.now()
        message.save(
            update_fields=["envelope", "envelope_sha256", "timestamp_token", "created", "transport", "updated_at"]
        )
    return sealed.envelope


def pending_for(partner: Partner, *, transport: str | None = None) -> list[ExchangeMessage]:
    """Messages still to (re)send to ``partner``, oldest first: not yet acknowledged."""
    queryset = ExchangeMessage.objects.filter(
        direction=Direction.OUT,
        partner=partner,
        status__in=[ExchangeMessage.Status.QUEUED, ExchangeMessage.Status.FAILED, ExchangeMessage.Status.SENT],
    )
    # An acknowledgement is itself never acknowledged: once sent it is done.
    queryset = queryset.exclude(type="ack", status=ExchangeMessage.Status.SENT)
    if transport:
        queryset = queryset.filter(transport=transport)
    return list(queryset.select_related("organisation", "partner").order_by("recorded_at", "id"))

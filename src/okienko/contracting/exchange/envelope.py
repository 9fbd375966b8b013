"""The signed envelope: seal a message for a partner, open one from a partner (ADR 0063,
``docs/contracting/exchange.md``).

An envelope is a JWS in the flattened JSON serialization (RFC 7515 §7.2.2), signed with the sender
institution's Ed25519 key (``alg`` ``Ed25519``, RFC 9864). Its payload is a JSON object with the
message id, correlation id, type, sender, receiver, contract, purpose, creation and expiry times,
the SHA-256 of the body's canonical JSON, and either the body itself or — for a type that carries
personal data, always — the body encrypted to the receiver's X25519 key (a compact JWE,
``ECDH-ES+A256KW`` + ``A256GCM``; not compressed, which keeps decompression bombs out). An
RFC 3161 time-stamp token over the signature may ride in the unprotected header (``tst``) where a
time-stamping authority is configured.

``open_envelope`` checks, in this order, and refuses with a stable reason at the first failure:
size, structure, algorithm, sender and key (known, trusted, not revoked), signature, receiver,
time window, replay (by message id and payload hash), decryption, payload hash, schema. Nothing
is applied by this module: it only tells whether the message is authentic, fresh, for us and
well-formed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OKPKey
from joserfc.jws import HeaderDict, JWSRegistry
from joserfc.registry import HeaderParameter

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import catalogue, directory, keys, tsa
from okienko.contracting.exchange.models import (
    Direction,
    ExchangeMessage,
    InstitutionKey,
    KeyUse,
    Partner,
    PartnerKey,
)
from okienko.core import clock

ALG = "Ed25519"
KEY_WRAP = "ECDH-ES+A256KW"
CONTENT = "A256GCM"
TYP = "okienko-exchange+json"
MAX_SKEW = dt.timedelta(minutes=10)
HTTPS_TTL = dt.timedelta(hours=1)
FILE_TTL = dt.timedelta(days=30)
MAX_TTL = dt.timedelta(days=31)

# Every reason a package is refused for, as the receiver records and reports it.
REASONS: dict[str, Any] = {
    "too_large": _("The package is larger than this installation accepts."),
    "malformed": _("The package is not a complete signed envelope (damaged or truncated file?)."),
    "unsupported_algorithm": _("The package is signed with an algorithm this installation does not accept."),
    "unknown_sender": _("The sender is not a registered partner institution."),
    "untrusted_sender": _("The sender's fingerprint has not been confirmed, or the partner is suspended."),
    "unknown_key": _("The package is signed with a key the sender never registered."),
    "revoked_key": _("The package is signed with a revoked key."),
    "expired_key": _("The package is signed with a key whose overlap period has ended."),
    "bad_signature": _("The signature does not match the package: it was altered or not signed by the sender."),
    "sender_key_mismatch": _("The signing key belongs to a different institution than the sender named."),
    "not_for_us": _("The package is addressed to another institution."),
    "clock_skew": _("The package was created in the future: the sender's clock is wrong."),
    "expired": _("The package is older than its validity period."),
    "replayed": _("A different package with the same message id was already accepted (replay)."),
    "duplicate": _("This package was already imported."),
    "not_encrypted": _("The package carries personal data but is not encrypted."),
    "decrypt_failed": _("The package cannot be decrypted with this institution's keys."),
    "payload_hash_mismatch": _("The content does not match the hash the sender signed."),
    "schema_invalid": _("The content does not follow the message type's schema."),
    "wrong_contract": _("The package is for a contract this institution does not have with the sender."),
    "scope_exceeded": _("The package carries fields outside the approved scope."),
    "out_of_order": _("The package refers to something not received yet."),
    "conflict": _("The same record was changed on both sides."),
    "state_refused": _("The change is not allowed in the current state."),
    "bad_timestamp": _("The time-stamp token does not match the signature."),
    "bad_certificate": _(
        "The certificate's PDF is not validly signed with the sender's registered key, or was changed after signing."
    ),
}


class Refused(Exception):
    """The package was refused: ``reason`` is a key of ``REASONS``; ``detail`` says more."""

    def __init__(self, reason: str, detail: str = "", *, header: dict[str, Any] | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.header = header or {}

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def max_bytes() -> int:
    return int(getattr(settings, "OKIENKO_EXCHANGE_MAX_BYTES", 200 * 1024 * 1024))


def _jws_registry() -> JWSRegistry:
    registry = JWSRegistry(
        header_registry={"tst": HeaderParameter("RFC 3161 time-stamp token (base64 DER)", "str")},
        algorithms=[ALG],
    )
    registry.max_payload_length = max_bytes()
    return registry


def _jwe_registry() -> JWERegistry:
    registry = JWERegistry(algorithms=[KEY_WRAP, CONTENT])
    # Packages of ten thousand participants are megabytes; the envelope's own limit applies.
    registry.max_ciphertext_length = max_bytes() * 8
    return registry


def _b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass(frozen=True)
class Sealed:
    message_id: str
    header: dict[str, Any]
    envelope: str
    envelope_sha256: str
    timestamp_token: str = ""


def encrypt_to(jwk: dict[str, Any], plaintext: bytes) -> str:
    recipient = OKPKey.import_key(keys.public_only(jwk))
    protected = {"alg": KEY_WRAP, "enc": CONTENT, "kid": jwk.get("kid", "")}
    return jwe.encrypt_compact(protected, plaintext, recipient, registry=_jwe_registry())


def seal(
    *,
    sender: Organisation,
    receiver: str,
    type: str,
    body: dict[str, Any],
    encrypt_to_jwk: dict[str, Any] | None = None,
    contract: str | None = None,
    purpose: str = "",
    correlation_id: str | None = None,
    message_id: str | None = None,
    ttl: dt.timedelta = HTTPS_TTL,
    now: dt.datetime | None = None,
    timestamper: Callable[[bytes], str] | None = None,
    signing: InstitutionKey | None = None,
) -> Sealed:
    """Sign (and, for a personal-data type or when ``encrypt_to_jwk`` is given, encrypt) a message
    from the local institution ``sender`` to the partner institution ``receiver``.
    The body is checked against its schema first: a bug never leaves the installation."""
    kind = catalogue.TYPES[type]
    problems = catalogue.errors(type, body)
    if problems:
        raise ValueError(f"{type} body does not follow its schema: {problems}")
    if kind.personal and encrypt_to_jwk is None:
        raise ValueError(f"{type} carries personal data and must be encrypted to the receiver")
    now = now or clock.now()
    plain = canonical(body)
    header: dict[str, Any] = {
        "v": 1,
        "id": message_id or str(uuid.uuid4()),
        "correlation_id": correlation_id,
        "type": type,
        "sender": keys.institution_id(sender),
        "receiver": receiver,
        "contract": contract,
        "purpose": purpose,
        "created": now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "expires": (now + ttl).astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "payload_sha256": sha256(plain),
    }
    payload = dict(header)
    if encrypt_to_jwk is not None:
        payload["encrypted"] = encrypt_to(encrypt_to_jwk, plain)
    else:
        payload["body"] = body
    signing = signing or keys.current(sender, KeyUse.SIGN)
    member: HeaderDict = {"protected": {"alg": ALG, "kid": signing.kid, "typ": TYP}}
    signed = jws.serialize_json(member, canonical(payload), keys.private_key(signing), registry=_jws_registry())
    token = ""
    # Time-stamped whenever a TSA is configured (``tsa.stamper``), whoever seals: the transports,
    # the acknowledgements, the tests (which pass their own).
    timestamper = timestamper or tsa.stamper()
    if timestamper is not None:
        token = timestamper(_b64d(str(signed["signature"])))
        signed["header"] = {"tst": token}
    envelope = json.dumps(signed, separators=(",", ":"))
    return Sealed(
        message_id=header["id"],
        header=header,
        envelope=envelope,
        envelope_sha256=sha256(envelope.encode()),
        timestamp_token=token,
    )


@dataclass
class Opened:
    header: dict[str, Any]
    body: dict[str, Any]
    partner: Partner
    receiver: Organisation
    kid: str
    envelope: str
    envelope_sha256: str
    encrypted: bool
    timestamp_token: str = ""
    created: dt.datetime = field(default_factory=clock.now)


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _seen(sender: str, message_id: str) -> str | None:
    """The payload hash of the message already accepted from ``sender`` under ``message_id``.
    Plain SQL on the partial unique index ``exchange_message_once``: the ORM's query building
    cost more than the query itself, for every message received."""
    try:
        key = ExchangeMessage._meta.get_field("message_id").get_db_prep_value(uuid.UUID(message_id), connection)
    except ValueError:
        return None  # not an id this installation could have stored
    table = ExchangeMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT payload_sha256 FROM {table} "  # noqa: S608 - the model's own table name
            "WHERE direction = %s AND sender = %s AND message_id = %s AND NOT (status = %s) LIMIT 1",
            [Direction.IN.value, sender, key, ExchangeMessage.Status.REFUSED.value],
        )
        row = cursor.fetchone()
    return str(row[0]) if row is not None else None


def _partner(institution_id: str) -> Partner | None:
    return directory.cached(  # type: ignore[no-any-return]
        "partner",
        institution_id,
        lambda: Partner.objects.select_related("organisation").filter(institution_id=institution_id).first(),
    )


def _signing_key(kid: str) -> PartnerKey | None:
    return directory.cached(  # type: ignore[no-any-return]
        "key", kid, lambda: PartnerKey.objects.filter(kid=kid, use=KeyUse.SIGN).first()
    )


def local_institution(institution_id: str) -> Organisation | None:
    return directory.cached("local", institution_id, lambda: _local_institution(institution_id))  # type: ignore[no-any-return]


def _local_institution(institution_id: str) -> Organisation | None:
    """The local institution with this identifier: it has its own keys here and is nobody's
    stand-in for a partner."""
    if not institution_id.startswith("PL-NIP-"):
        return None
    return (
        Organisation.objects.filter(contracting_profile__nip=institution_id.removeprefix("PL-NIP-"))
        .filter(exchange_partner__isnull=True, exchange_keys__isnull=False)
        .distinct()
        .first()
    )


def peek(raw: str | bytes) -> dict[str, Any]:
    """The envelope's payload without any check (for logging a refused package): never trust it."""
    try:
        outer = json.loads(raw)
        value = json.loads(_b64d(outer["payload"]))
        return {k: value.get(k) for k in ("id", "type", "sender", "receiver", "contract", "correlation_id")}
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return {}


def open_envelope(
    raw: str | bytes,
    *,
    now: dt.datetime | None = None,
    timestamp_check: Callable[[str, bytes], None] | None = None,
) -> Opened:
    """Verify an envelope received from a partner and return its header and body, or raise
    ``Refused`` with the first reason found (see the module's docstring for the order)."""
    now = now or clock.now()
    if isinstance(raw, bytes):
        if len(raw) > max_bytes():
            raise Refused("too_large", f"{len(raw)} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused("malformed", "not UTF-8") from exc
    else:
        text = raw
        if len(text) > max_bytes():
            raise Refused("too_large", f"{len(text)} characters")
    head = peek(text)
    try:
        outer = json.loads(text)
        protected = json.loads(_b64d(outer["protected"]))
        _b64d(outer["payload"])
        _b64d(outer["signature"])
        if not isinstance(protected, dict) or not isinstance(outer.get("header", {}), dict):
            raise TypeError("headers must be objects")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
        raise Refused("malformed", str(exc)[:200], header=head) from exc
    if protected.get("alg") != ALG:
        raise Refused("unsupported_algorithm", str(protected.get("alg"))[:40], header=head)
    sender_id = str(head.get("sender") or "")
    partner = _partner(sender_id)
    if partner is None:
        raise Refused("unknown_sender", sender_id[:60], header=head)
    if partner.status != Partner.Status.TRUSTED:
        raise Refused("untrusted_sender", partner.get_status_display(), header=head)
    kid = str(protected.get("kid") or "")
    key = _signing_key(kid)
    if key is None:
        raise Refused("unknown_key", kid[:64], header=head)
    if key.partner_id != partner.pk:
        raise Refused("sender_key_mismatch", kid[:64], header=head)
    if key.revoked_at is not None:
        raise Refused("revoked_key", kid[:64], header=head)
    if key.expires_at is not None and key.expires_at < now:
        raise Refused("expired_key", kid[:64], header=head)
    try:
        verified = jws.deserialize_json(
            outer, OKPKey.import_key(keys.public_only(key.public_jwk)), registry=_jws_registry()
        )
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Refused("bad_signature", str(exc)[:200], header=head) from exc
    try:
        payload = json.loads(verified.payload)
    except ValueError as exc:
        raise Refused("malformed", "payload is not JSON", header=head) from exc
    problems = catalogue.errors("envelope", payload)
    if problems:
        raise Refused("schema_invalid", "; ".join(problems), header=head)
    if ("body" in payload) == ("encrypted" in payload):
        raise Refused("malformed", "exactly one of body and encrypted", header=head)
    receiver = local_institution(payload["receiver"])
    if receiver is None:
        raise Refused("not_for_us", payload["receiver"], header=head)
    created, expires = _time(payload["created"]), _time(payload["expires"])
    if created > now + MAX_SKEW:
        raise Refused("clock_skew", f"created {payload['created']}, here it is {now.isoformat()}", header=head)
    if expires - created > MAX_TTL or expires < created:
        raise Refused("malformed", "validity period", header=head)
    if now > expires + MAX_SKEW:
        raise Refused("expired", f"valid until {payload['expires']}", header=head)
    token = str(verified.headers().get("tst") or "")
    # A token is always checked (imprint; the TSA's signature when its certificate is configured).
    timestamp_check = timestamp_check or tsa.check
    if token:
        try:
            timestamp_check(token, _b64d(str(outer["signature"])))
        except ValueError as exc:
            raise Refused("bad_timestamp", str(exc)[:200], header=head) from exc
    envelope_hash = sha256(text.encode())
    seen = _seen(str(payload["sender"]), str(payload["id"]))
    if seen is not None:
        # The same message again (a retry whose acknowledgement was lost, a file imported twice)
        # is harmless; another content under an id already taken is a replay.
        raise Refused("duplicate" if seen == payload["payload_sha256"] else "replayed", payload["id"], header=head)
    kind = catalogue.TYPES[payload["type"]]
    if "encrypted" in payload:
        body_bytes = _decrypt(receiver, payload["encrypted"], now, head)
        try:
            body = json.loads(body_bytes)
        except ValueError as exc:
            raise Refused("malformed", "decrypted body is not JSON", header=head) from exc
    else:
        if kind.personal:
            raise Refused("not_encrypted", payload["type"], header=head)
        body = payload["body"]
        body_bytes = canonical(body)
    if sha256(canonical(body)) != payload["payload_sha256"]:
        raise Refused("payload_hash_mismatch", header=head)
    problems = catalogue.errors(payload["type"], body)
    if problems:
        raise Refused("schema_invalid", "; ".join(problems), header=head)
    if kind.needs_contract and not payload.get("contract"):
        raise Refused("schema_invalid", "contract: required for this type", header=head)
    header = {k: v for k, v in payload.items() if k not in ("body", "encrypted")}
    return Opened(
        header=header,
        body=body,
        partner=partner,
        receiver=receiver,
        kid=kid,
        envelope=text,
        envelope_sha256=envelope_hash,
        encrypted="encrypted" in payload,
        timestamp_token=token,
        created=created,
    )


def _decrypt(receiver: Organisation, compact: str, now: dt.datetime, head: dict[str, Any]) -> bytes:
    try:
        protected = json.loads(_b64d(compact.split(".", 1)[0]))
        kid = str(protected.get("kid") or "")
    except (ValueError, IndexError, binascii.Error) as exc:
        raise Refused("decrypt_failed", "not a JWE", header=head) from exc
    candidates = [k for k in keys.valid_keys(receiver, KeyUse.ENCRYPT, at=now) if not kid or k.kid == kid]
    for candidate in candidates:
        try:
            return jwe.decrypt_compact(compact, keys.private_key(candidate), registry=_jwe_registry()).plaintext or b""
        except (JoseError, ValueError):
            continue
    raise Refused("decrypt_failed", f"no valid key {kid[:16]}", header=head)

"""The HTTPS transport: an inbound endpoint, pushes to partners through the work queue, and pull
for partners that cannot accept connections (ADR 0063 §6, ``docs/contracting/exchange.md``).

* ``POST /exchange/v1/messages`` takes one envelope (``application/jose+json``). The envelope
  authenticates itself (no session, no token, no CSRF): the answer is the receiver's signed ``ack``
  envelope (200) when the sender was authenticated — applied, refused after authentication or a
  duplicate — 202 when the message waits for an earlier one (its ack follows as a message), and a
  problem document (``application/problem+json``: type, title, status, reason, detail) when it was
  refused before the sender could be authenticated.
* Pushes: every HTTPS message queued for a partner gets a ``PushDelivery`` (``PUSHES``, a work
  queue). The worker seals a fresh envelope, POSTs it to the partner's endpoint (10 s timeout),
  verifies and applies the signed ack it gets back, and retries failures with back-off until the
  item becomes a dead letter.
* Pull: ``POST /exchange/v1/pull`` with a JWS (not an envelope: the catalogue is fixed) signed by
  the partner over ``{"pull_for": <its institution id>, "created": <now>, "nonce": <uuid>}``
  answers with a JSON Lines body like an export file (``transport_file``), sealed for HTTPS.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

import requests
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.jws import HeaderDict

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import envelope, inbound, keys, outbound, transport_file
from okienko.contracting.exchange.models import ExchangeMessage, KeyUse, Partner, PartnerKey, PushDelivery
from okienko.core import audit, clock, workqueue
from okienko.core.actors import SCHEDULER

log = logging.getLogger(__name__)

JOSE = "application/jose+json"
JSONL = "application/jsonl"
PULL_TYP = "okienko-exchange-pull+json"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 10
BATCH = 20
USER_AGENT = "Okienko-Exchange/1"

# Status codes of refusals before the sender is authenticated.
STATUS: dict[str, int] = {
    "too_large": 413,
    "malformed": 400,
    "unsupported_algorithm": 400,
    "unknown_sender": 401,
    "unknown_key": 401,
    "bad_signature": 401,
    "sender_key_mismatch": 401,
    "expired_key": 401,
    "revoked_key": 403,
    "untrusted_sender": 403,
    "not_for_us": 421,
    "rate_limited": 429,
    "unsupported_media_type": 415,
}
# Refusals found after the signature verified: the sender is authenticated and gets a signed ack.
AUTHENTICATED = frozenset(
    {
        "clock_skew",
        "expired",
        "replayed",
        "not_encrypted",
        "decrypt_failed",
        "payload_hash_mismatch",
        "schema_invalid",
        "bad_timestamp",
    }
)
TITLES: dict[str, Any] = {
    "rate_limited": _("Too many requests from this address; try again in a minute."),
    "unsupported_media_type": _("Send the envelope as application/jose+json."),
    "unavailable": _("The message could not be processed now; send it again later."),
}

PUSHES: workqueue.WorkQueue[PushDelivery] = workqueue.register(
    workqueue.WorkQueue(
        name="exchange-push",
        label=_("Pushes to partner institutions"),
        model=PushDelivery,
        pending=PushDelivery.Status.PENDING,
        done=PushDelivery.Status.DELIVERED,
        dead=PushDelivery.Status.DEAD,
        due_field="next_attempt_at",
        order_by=("next_attempt_at", "id"),
        lease=dt.timedelta(minutes=2),
        max_attempts=lambda: MAX_ATTEMPTS,  # read when used (tests lower it)
        backoff=workqueue.Backoff(base=dt.timedelta(seconds=30), cap=dt.timedelta(hours=1)),
    )
)


# --- the inbound side -------------------------------------------------------------------------


def rate_limit() -> tuple[int, int]:
    """At most this many requests from one address in this many seconds."""
    from django.conf import settings

    count, seconds = getattr(settings, "OKIENKO_EXCHANGE_RATE_LIMIT", (600, 60))
    return int(count), int(seconds)


def allowed(address: str) -> bool:
    """Count a request from ``address`` in the current window; False once over the limit."""
    count, seconds = rate_limit()
    window = int(clock.now().timestamp()) // max(1, seconds)
    key = f"exchange-rate:{address[:64]}:{window}"
    if cache.add(key, 1, timeout=seconds + 5):
        return True
    try:
        return int(cache.incr(key)) <= count
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 5)
        return True


def problem(reason: str, detail: str = "", *, status: int | None = None) -> dict[str, Any]:
    """A problem document (RFC 9457) for a refusal, with the stable ``reason``."""
    code = status or STATUS.get(reason, 400)
    title = envelope.REASONS.get(reason) or TITLES.get(reason) or reason
    return {
        "type": f"https://okienko.example/problems/exchange/{reason}",
        "title": str(title),
        "status": code,
        "reason": reason,
        "detail": detail[:500],
    }


def _ack_for_refusal(receipt: inbound.Receipt) -> str:
    """A signed ack for a package refused after its signature verified (stale, replayed, not
    decryptable …): the authenticated sender learns why."""
    message = receipt.message
    if message is None or message.partner is None or message.organisation is None or message.message_id is None:
        return ""
    if message.type == "ack" or message.partner.status != Partner.Status.TRUSTED:
        return ""
    body: dict[str, Any] = {"of": str(message.message_id), "outcome": "refused", "reason": receipt.reason}
    if receipt.detail:
        body["detail"] = receipt.detail[:4000]
    try:
        sealed = envelope.seal(
            sender=message.organisation,
            receiver=message.partner.institution_id,
            type="ack",
            body=body,
            contract=message.contract_uuid or None,
            correlation_id=str(message.message_id),
        )
    except (keys.NoKey, ValueError):
        return ""
    return sealed.envelope


def answer(body: bytes) -> tuple[int, str, str]:
    """(HTTP status, content type, body) for one envelope POSTed to the endpoint."""
    receipt = inbound.receive(body, transport=ExchangeMessage.Transport.HTTPS)
    if receipt.ack:
        return 200, JOSE, receipt.ack
    if receipt.outcome == "waiting":
        document = {"outcome": "waiting", "reason": receipt.reason, "detail": receipt.text}
        return 202, "application/json", json.dumps(document)
    if receipt.outcome == "duplicate":
        document = {"outcome": "duplicate", "reason": "duplicate", "detail": str(envelope.REASONS["duplicate"])}
        return 200, "application/json", json.dumps(document)
    if receipt.reason in AUTHENTICATED:
        ack = _ack_for_refusal(receipt)
        if ack:
            return 200, JOSE, ack
    document = problem(receipt.reason or "malformed", receipt.detail, status=STATUS.get(receipt.reason, 422))
    return int(document["status"]), "application/problem+json", json.dumps(document)


# --- pushes ----------------------------------------------------------------------------------


def enqueue(message: ExchangeMessage) -> PushDelivery:
    """A push of ``message`` (inside the caller's transaction); the worker is woken on commit."""
    now = clock.now()
    push = PushDelivery.objects.create(message=message, next_attempt_at=now, created_at=now)
    transaction.on_commit(kick)
    return push


def kick() -> None:
    from okienko.contracting.exchange.tasks import push_messages

    workqueue.wake(push_messages.delay, queue=PUSHES.name)


FINAL = (ExchangeMessage.Status.ACKNOWLEDGED, ExchangeMessage.Status.REFUSED)


def _post(url: str, text: str) -> requests.Response:
    return requests.post(
        url,
        data=text.encode(),
        headers={"Content-Type": JOSE, "Accept": f"{JOSE}, application/json", "User-Agent": USER_AGENT},
        timeout=TIMEOUT_SECONDS,
        allow_redirects=False,
    )


def _problem_of(response: requests.Response) -> tuple[str, str]:
    try:
        document = response.json()
        return str(document.get("reason") or "")[:40], str(document.get("detail") or "")[:500]
    except (ValueError, AttributeError):
        return "", response.text[:300]


def _mark(message: ExchangeMessage, status: str, *, reason: str = "", detail: str = "") -> None:
    ExchangeMessage.objects.filter(pk=message.pk).exclude(status__in=FINAL).update(
        status=status, reason=reason, detail=detail[:2000], updated_at=clock.now()
    )


def _fail(
    push: PushDelivery, error: str, *, status_code: int | None, reason: str = "", permanent: bool = False
) -> None:
    now = clock.now()
    message = push.message
    if permanent:
        PUSHES.finish(
            push, status=PushDelivery.Status.DEAD, last_error=error[:2000], last_attempt_at=now,
            last_status_code=status_code, attempts=push.attempts + 1,
        )  # fmt: skip
        dead = True
    else:
        dead = PUSHES.fail(push, error, last_attempt_at=now, last_status_code=status_code)
    _mark(message, ExchangeMessage.Status.FAILED, reason=reason, detail=error)
    if dead:
        audit.record(
            "contracting.exchange.push_failed",
            actor=SCHEDULER,
            obj=message,
            organisation_id=message.organisation_id,
            data={"message": str(message.message_id), "partner": message.receiver, "error": error[:300]},
        )


def deliver(push: PushDelivery) -> PushDelivery:
    """Push one claimed item and record the outcome."""
    message = push.message
    partner = message.partner
    now = clock.now()
    if message.status in FINAL or partner is None:
        PUSHES.complete(push, last_attempt_at=now)
        return push
    if not partner.endpoint:
        _fail(push, "the partner has no exchange endpoint", status_code=None, permanent=True)
        return push
    try:
        text = outbound.seal_for_transport(message, transport=ExchangeMessage.Transport.HTTPS)
    except (outbound.NoPartnerKey, keys.NoKey) as exc:
        _fail(push, str(exc), status_code=None)
        return push
    try:
        response = _post(partner.endpoint, text)
    except requests.RequestException as exc:
        _fail(push, f"{type(exc).__name__}: {exc}"[:500], status_code=None)
        return push
    code = response.status_code
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if code == 200 and kind == JOSE:
        receipt = inbound.receive(response.content, transport=ExchangeMessage.Transport.HTTPS)
        if receipt.outcome in ("applied", "duplicate"):
            PUSHES.complete(push, last_attempt_at=now, last_status_code=code)
            return push
        _fail(push, f"the partner's acknowledgement was refused: {receipt.reason} {receipt.detail}", status_code=code)
        return push
    if code in (200, 202):
        # Accepted (waiting for an earlier message, or a duplicate): the ack follows as a message.
        _mark(message, ExchangeMessage.Status.SENT)
        PUSHES.complete(push, last_attempt_at=now, last_status_code=code)
        return push
    reason, detail = _problem_of(response)
    error = f"HTTP {code} {reason}: {detail}".strip()
    # A partner that has not confirmed our fingerprint yet (401/403), is overloaded or down is
    # tried again; a package it can never take (malformed, too large, not for it) is given up.
    permanent = code in (400, 413, 415, 421, 422)
    _fail(push, error, status_code=code, reason=reason if reason in envelope.REASONS else "", permanent=permanent)
    return push


def push_due(limit: int = BATCH) -> int:
    """Push the items that are due; return how many were attempted."""
    return PUSHES.work(
        limit=limit, handle=deliver, queryset=lambda rows: rows.select_related("message", "message__partner")
    )


# --- pull ------------------------------------------------------------------------------------


class PullRefused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def pull_request(local: Organisation, *, now: dt.datetime | None = None) -> str:
    """The signed pull request of our institution ``local`` (sent to a partner's ``/pull``)."""
    now = now or clock.now()
    claim = {"pull_for": keys.institution_id(local), "created": transport_file._iso(now), "nonce": str(uuid.uuid4())}
    signing = keys.current(local, KeyUse.SIGN)
    member: HeaderDict = {"protected": {"alg": envelope.ALG, "kid": signing.kid, "typ": PULL_TYP}}
    signed = jws.serialize_json(
        member, envelope.canonical(claim), keys.private_key(signing), registry=envelope._jws_registry()
    )
    return json.dumps(signed, separators=(",", ":"))


def verify_pull(raw: bytes, *, now: dt.datetime | None = None) -> Partner:
    """The partner that signed this pull request, or ``PullRefused`` with the reason."""
    now = now or clock.now()
    if len(raw) > 8192:
        raise PullRefused("too_large")
    try:
        outer = json.loads(raw)
        protected = json.loads(envelope._b64d(outer["protected"]))
        claim = json.loads(envelope._b64d(outer["payload"]))
        if not isinstance(protected, dict) or not isinstance(claim, dict):
            raise TypeError("objects expected")
        asked, created, nonce = str(claim["pull_for"]), str(claim["created"]), str(uuid.UUID(str(claim["nonce"])))
        when = envelope._time(created)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PullRefused("malformed", str(exc)[:200]) from exc
    if protected.get("alg") != envelope.ALG or protected.get("typ") != PULL_TYP:
        raise PullRefused("unsupported_algorithm")
    partner = Partner.objects.filter(institution_id=asked).first()
    if partner is None:
        raise PullRefused("unknown_sender", asked[:60])
    if partner.status != Partner.Status.TRUSTED:
        raise PullRefused("untrusted_sender")
    key = PartnerKey.objects.filter(partner=partner, kid=str(protected.get("kid") or ""), use=KeyUse.SIGN).first()
    if key is None:
        raise PullRefused("unknown_key")
    if key.revoked_at is not None:
        raise PullRefused("revoked_key")
    if key.expires_at is not None and key.expires_at < now:
        raise PullRefused("expired_key")
    try:
        public = OKPKey.import_key(keys.public_only(key.public_jwk))
        jws.deserialize_json(outer, public, registry=envelope._jws_registry())
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise PullRefused("bad_signature", str(exc)[:200]) from exc
    if when.tzinfo is None or abs(now - when) > envelope.MAX_SKEW:
        raise PullRefused("expired", f"created {created}")
    window = int(envelope.MAX_SKEW.total_seconds()) * 2
    if not cache.add(f"exchange-pull-nonce:{partner.pk}:{nonce}", 1, timeout=window):
        raise PullRefused("replayed", nonce)
    return partner


def pull_body(partner: Partner) -> bytes:
    """What a verified pull answers: the messages pending for ``partner``, sealed for HTTPS."""
    lines, sealed = transport_file.seal_pending(
        transport_file.exportable(partner), transport=ExchangeMessage.Transport.HTTPS
    )
    header = transport_file.header_line(
        sender=sealed[0].sender if sealed else None, receiver=partner.institution_id, count=len(lines)
    )
    audit.record(
        "contracting.exchange.pulled",
        actor=inbound.actor_for(partner.institution_id),
        obj=partner,
        organisation_id=partner.organisation_id,
        data={"messages": [str(m.message_id) for m in sealed]},
    )
    return "\n".join([json.dumps(header, separators=(",", ":")), *lines]).encode() + b"\n"


def pull_url(endpoint: str) -> str:
    """The partner's pull address next to its message endpoint (``…/v1/messages`` → ``…/v1/pull``)."""
    base = endpoint.rstrip("/")
    return (base.rsplit("/", 1)[0] if base.endswith("/messages") else base) + "/pull"


def pull_from(partner: Partner, local: Organisation) -> transport_file.ImportReport:
    """Fetch what ``partner`` holds for our institution ``local`` and receive it."""
    response = requests.post(
        pull_url(partner.endpoint),
        data=pull_request(local).encode(),
        headers={"Content-Type": JOSE, "Accept": JSONL, "User-Agent": USER_AGENT},
        timeout=TIMEOUT_SECONDS,
        allow_redirects=False,
    )
    if response.status_code != 200:
        reason, detail = _problem_of(response)
        raise PullRefused(reason or f"http_{response.status_code}", detail)
    return transport_file.import_lines(response.content, transport=ExchangeMessage.Transport.HTTPS)

"""The key pairs of local institutions: create, rotate with overlap, revoke, load.

Ed25519 signs (JWS ``alg`` ``Ed25519``, RFC 9864 — the fully specified successor of ``EdDSA``),
X25519 receives encrypted payloads (JWE ``ECDH-ES+A256KW`` with ``A256GCM``). Private keys are
stored sealed with ``core.secretbox`` (a key derived from ``SECRET_KEY``, rotatable through
``SECRET_KEY_FALLBACKS``); a database dump alone gives no key away.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.db import transaction
from joserfc.jwk import OKPKey

from okienko.accounts.models import Organisation
from okienko.contracting.exchange.models import InstitutionKey, KeyUse
from okienko.core import audit, clock, secretbox
from okienko.core.actors import SCHEDULER, Actor
from okienko.core.models import AuditRecord

CURVES: dict[str, Literal["Ed25519", "X25519"]] = {KeyUse.SIGN: "Ed25519", KeyUse.ENCRYPT: "X25519"}
DEFAULT_OVERLAP = dt.timedelta(days=30)


class NoKey(LookupError):
    """The institution has no usable key of that use (none created yet, or all retired)."""


def institution_id(organisation: Organisation) -> str:
    """The identifier an institution is known by between installations: ``PL-NIP-`` + its NIP
    (the tax number every public body and agency has; the same on every installation)."""
    profile = getattr(organisation, "contracting_profile", None)
    if profile is None or not profile.nip:
        raise NoKey(f"{organisation} has no NIP in its institution profile")
    return f"PL-NIP-{profile.nip}"


def fingerprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint (SHA-256) of a public key, grouped for reading over the phone."""
    thumb = OKPKey.import_key(public_only(jwk)).thumbprint()
    return " ".join(thumb[i : i + 4] for i in range(0, len(thumb), 4))


def public_only(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k in ("kty", "crv", "x")}


def _new(organisation: Organisation, use: str, now: dt.datetime) -> InstitutionKey:
    key = OKPKey.generate_key(CURVES[KeyUse(use)])
    kid = key.thumbprint()
    public = {**public_only(key.as_dict(private=False)), "kid": kid, "use": use}
    return InstitutionKey.objects.create(
        organisation=organisation,
        kid=kid,
        use=use,
        algorithm=CURVES[KeyUse(use)],
        public_jwk=public,
        private_sealed=secretbox.seal(json.dumps(key.as_dict(private=True))),
        created_at=now,
    )


def ensure_keys(organisation: Organisation, *, actor: Actor = SCHEDULER) -> list[InstitutionKey]:
    """The institution's current signing and encryption keys, created on first use."""
    created = []
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        now = clock.now()
        for use in (KeyUse.SIGN, KeyUse.ENCRYPT):
            if not current(organisation, use, missing_ok=True):
                created.append(_new(organisation, use, now))
        for key in created:
            audit.record(
                "contracting.exchange.key.created",
                actor=actor,
                obj=key,
                organisation_id=organisation.pk,
                data={"kid": key.kid, "use": key.use, "algorithm": key.algorithm},
            )
    return [current(organisation, KeyUse.SIGN), current(organisation, KeyUse.ENCRYPT)]


def current(organisation: Organisation, use: str, *, missing_ok: bool = False) -> InstitutionKey:
    """The key used now to sign (``sig``) or to be encrypted to (``enc``)."""
    key = (
        InstitutionKey.objects.filter(organisation=organisation, use=use, retired_at=None, revoked_at=None)
        .order_by("-created_at", "-id")
        .first()
    )
    if key is None and not missing_ok:
        raise NoKey(f"{organisation} has no current {use} key")
    return key  # type: ignore[return-value]  # None only when missing_ok


def valid_keys(organisation: Organisation, use: str, *, at: dt.datetime | None = None) -> list[InstitutionKey]:
    """Current and retired-but-overlapping keys (not revoked, not expired): what still decrypts."""
    at = at or clock.now()
    keys = InstitutionKey.objects.filter(organisation=organisation, use=use, revoked_at=None)
    return [k for k in keys.order_by("-created_at") if k.expires_at is None or k.expires_at > at]


def private_key(key: InstitutionKey) -> OKPKey:
    return OKPKey.import_key(json.loads(secretbox.unseal(key.private_sealed)))


def rotate(
    organisation: Organisation, *, actor: Actor, overlap: dt.timedelta = DEFAULT_OVERLAP
) -> list[InstitutionKey]:
    """New signing and encryption keys; the old ones stop being used at once and stay valid for
    verification and decryption during ``overlap`` (partners learn the new keys from the card the
    old key signs, ``partners.announce_card``)."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        now = clock.now()
        old = list(InstitutionKey.objects.filter(organisation=organisation, retired_at=None, revoked_at=None))
        for key in old:
            key.retired_at = now
            key.expires_at = now + overlap
            key.save(update_fields=["retired_at", "expires_at"])
        new = [_new(organisation, KeyUse.SIGN, now), _new(organisation, KeyUse.ENCRYPT, now)]
        audit.record(
            "contracting.exchange.key.rotated",
            actor=actor,
            obj=new[0],
            organisation_id=organisation.pk,
            data={
                "retired": [k.kid for k in old],
                "new": [k.kid for k in new],
                "overlap_until": (now + overlap).isoformat(),
            },
        )
    return new


def revoke(key: InstitutionKey, *, actor: Actor, note: str = "") -> None:
    """A compromised key: refused at once for everything (no overlap)."""
    with transaction.atomic():
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            "contracting.exchange.key.revoked",
            actor=actor,
            obj=key,
            organisation_id=key.organisation_id,
            data={"kid": key.kid, "use": key.use, **({"note": note} if note else {})},
            kind=AuditRecord.Kind.SECURITY,
        )

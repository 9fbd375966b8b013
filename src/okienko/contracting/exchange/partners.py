"""Institution cards and partner registration — no central server (ADR 0063).

A *card* is a local institution's identity (identifier, name, NIP, REGON, KRAZ number, kind,
exchange endpoint) with its public keys, signed with its own signing key (proof that whoever
hands the card over holds the key). Partners swap cards (by e-mail, on a stick, through their
document system); importing a card registers the partner as *pending*, and a person confirms the
fingerprint with the other institution by phone or in writing before any message is accepted.
A later card signed with a key the receiver already trusts (an ``institution.card`` message)
updates the partner's keys — rotation — without a new confirmation. A trust list (a JSON list of
cards, e.g. published by the regional office) can register many partners at once; they still
need confirming unless the list is signed by an institution already trusted.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.jws import HeaderDict

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting.exchange import catalogue, directory, envelope, keys
from okienko.contracting.exchange.models import KeyUse, Partner, PartnerKey
from okienko.contracting.models import InstitutionProfile
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.core.models import AuditRecord

CARD_TYP = "okienko-institution-card+json"
KINDS = {
    Organisation.Kind.COUNTY_OFFICE: "pup",
    Organisation.Kind.REGION_OFFICE: "wup",
    Organisation.Kind.AGENCY: "agency",
}
ORG_KINDS = {v: k for k, v in KINDS.items()}


class CardRefused(ValueError):
    """The card cannot be used; the message says why (shown to the person importing it)."""


def card_of(organisation: Organisation, *, endpoint: str = "") -> dict[str, Any]:
    """The institution's card (unsigned): identity and every key still valid, current first."""
    keys.ensure_keys(organisation)
    profile = organisation.contracting_profile
    valid = [
        *keys.valid_keys(organisation, KeyUse.SIGN),
        *keys.valid_keys(organisation, KeyUse.ENCRYPT),
    ]
    jwks = []
    for key in valid:
        jwk = dict(key.public_jwk)
        if key.expires_at:
            jwk["exp"] = key.expires_at.isoformat()
        jwks.append(jwk)
    card: dict[str, Any] = {
        "institution_id": keys.institution_id(organisation),
        "name": organisation.name[:200],
        "kind": KINDS.get(Organisation.Kind(organisation.kind), "agency"),
        "nip": profile.nip,
        "regon": profile.regon,
        "kraz_number": profile.kraz_number,
        "endpoint": endpoint or profile.exchange_endpoint,
        "contact_email": profile.contact_email,
        "keys": jwks,
        "issued": clock.now().isoformat(),
    }
    return card


def signed_card(organisation: Organisation, *, endpoint: str = "") -> str:
    """The card as a signed JSON file (JWS, flattened JSON serialization)."""
    card = card_of(organisation, endpoint=endpoint)
    signing = keys.current(organisation, KeyUse.SIGN)
    member: HeaderDict = {"protected": {"alg": envelope.ALG, "kid": signing.kid, "typ": CARD_TYP}}
    signed = jws.serialize_json(
        member, envelope.canonical(card), keys.private_key(signing), registry=envelope._jws_registry()
    )
    return json.dumps(signed, indent=1)


def read_card(data: str | bytes, *, signer_jwk: dict[str, Any] | None = None) -> dict[str, Any]:
    """The card in a signed card file, verified: it follows the schema and is signed with its own
    current signing key (or with ``signer_jwk``, a key already trusted, for rotation)."""
    try:
        outer = json.loads(data)
        protected = json.loads(envelope._b64d(outer["protected"]))
        card = json.loads(envelope._b64d(outer["payload"]))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CardRefused("not a signed institution card (damaged file?)") from exc
    problems = catalogue.errors("institution.card", card)
    if problems:
        raise CardRefused("the card does not follow the schema: " + "; ".join(problems))
    kid = protected.get("kid") if isinstance(protected, dict) else None
    if signer_jwk is None:
        matching = [k for k in card["keys"] if k["use"] == "sig" and k["kid"] == kid]
        if not matching:
            raise CardRefused("the card is not signed with one of its own signing keys")
        signer_jwk = matching[0]
    if OKPKey.import_key(keys.public_only(signer_jwk)).thumbprint() != kid:
        raise CardRefused("the card is signed with another key")
    for jwk in card["keys"]:
        if OKPKey.import_key(keys.public_only(jwk)).thumbprint() != jwk["kid"]:
            raise CardRefused("a key's id is not its thumbprint")
    try:
        jws.deserialize_json(outer, OKPKey.import_key(keys.public_only(signer_jwk)), registry=envelope._jws_registry())
    except (JoseError, ValueError, TypeError) as exc:
        raise CardRefused("the card's signature does not verify") from exc
    return dict(card)


def signing_fingerprint(card: dict[str, Any]) -> str:
    sig = [k for k in card["keys"] if k["use"] == "sig"]
    return keys.fingerprint(sig[0]) if sig else ""


def _sync_keys(partner: Partner, card: dict[str, Any]) -> dict[str, list[str]]:
    now = clock.now()
    listed = {k["kid"]: k for k in card["keys"]}
    added, retired = [], []
    for kid, jwk in listed.items():
        key, created = PartnerKey.objects.get_or_create(
            partner=partner,
            kid=kid,
            defaults={
                "use": jwk["use"],
                "algorithm": jwk["crv"],
                "public_jwk": {k: jwk[k] for k in ("kty", "crv", "x", "kid", "use")},
                "added_at": now,
            },
        )
        if created:
            added.append(kid)
        expires = jwk.get("exp")
        if expires and key.expires_at is None:
            key.expires_at = envelope._time(expires)
            key.retired_at = key.retired_at or now
            key.save(update_fields=["expires_at", "retired_at"])
    for key in partner.keys.filter(revoked_at=None).exclude(kid__in=listed):
        # A key the partner no longer lists is no longer valid.
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
        retired.append(key.kid)
    return {"added": added, "revoked": retired}


def register(card: dict[str, Any], *, actor: Actor, endpoint: str = "") -> Partner:
    """Register (or refresh, while still pending) the institution of a verified card as a
    partner awaiting fingerprint confirmation; its local stand-in organisation is created."""
    if envelope.local_institution(card["institution_id"]) is not None:
        raise CardRefused("this is the card of an institution of this installation")
    with transaction.atomic():
        now = clock.now()
        partner = Partner.objects.select_for_update().filter(institution_id=card["institution_id"]).first()
        if partner is not None and partner.status == Partner.Status.TRUSTED:
            raise CardRefused("the partner is already trusted: new keys come in a card it signs")
        if partner is None:
            organisation = Organisation.objects.filter(contracting_profile__nip=card["nip"]).first()
            if organisation is None:
                code = slugify(f"partner-{card['nip']}")[:60]
                organisation = Organisation.objects.create(
                    code=code, name=card["name"], kind=ORG_KINDS[card["kind"]], active=True
                )
                InstitutionProfile.objects.create(
                    organisation=organisation,
                    nip=card["nip"],
                    regon=card.get("regon", ""),
                    kraz_number=card.get("kraz_number", ""),
                    contact_email=card.get("contact_email", ""),
                    exchange_endpoint=endpoint or card.get("endpoint", ""),
                )
            partner = Partner.objects.create(
                organisation=organisation,
                institution_id=card["institution_id"],
                endpoint=endpoint or card.get("endpoint", ""),
                card=card,
                created_at=now,
                updated_at=now,
            )
        else:
            partner.card = card
            partner.endpoint = endpoint or card.get("endpoint", "") or partner.endpoint
            partner.updated_at = now
            partner.save(update_fields=["card", "endpoint", "updated_at"])
        changes = _sync_keys(partner, card)
        audit.record(
            "contracting.exchange.partner.registered",
            actor=actor,
            obj=partner,
            organisation_id=partner.organisation_id,
            data={"institution": card["institution_id"], "fingerprint": signing_fingerprint(card), **changes},
            kind=AuditRecord.Kind.SECURITY,
        )
    return partner


def confirm(partner: Partner, *, actor: Actor, fingerprint: str) -> None:
    """A person read the fingerprint to the other institution (or compared it in writing): the
    partner becomes trusted. The fingerprint typed must be the card's."""
    expected = signing_fingerprint(partner.card).replace(" ", "").lower()
    if fingerprint.replace(" ", "").lower() != expected:
        raise CardRefused("the fingerprint does not match the card")
    with transaction.atomic():
        partner.status = Partner.Status.TRUSTED
        partner.confirmed_by = user_of(actor)
        partner.confirmed_at = partner.updated_at = clock.now()
        partner.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        audit.record(
            "contracting.exchange.partner.trusted",
            actor=actor,
            obj=partner,
            organisation_id=partner.organisation_id,
            changes={"status": [Partner.Status.PENDING, Partner.Status.TRUSTED]},
            kind=AuditRecord.Kind.SECURITY,
        )


def suspend(partner: Partner, *, actor: Actor, note: str = "") -> None:
    """Stop accepting the partner's messages (e.g. a suspected key compromise)."""
    with transaction.atomic():
        before = partner.status
        partner.status = Partner.Status.SUSPENDED
        partner.updated_at = clock.now()
        partner.save(update_fields=["status", "updated_at"])
        audit.record(
            "contracting.exchange.partner.suspended",
            actor=actor,
            obj=partner,
            organisation_id=partner.organisation_id,
            changes={"status": [before, Partner.Status.SUSPENDED]},
            data={"note": note} if note else {},
            kind=AuditRecord.Kind.SECURITY,
        )


def revoke_key(partner: Partner, kid: str, *, actor: Actor) -> None:
    """The partner told us (out of band) that a key is compromised."""
    with transaction.atomic():
        updated = partner.keys.filter(kid=kid, revoked_at=None).update(revoked_at=clock.now())
        directory.forget()
        if updated:
            audit.record(
                "contracting.exchange.partner.key_revoked",
                actor=actor,
                obj=partner,
                organisation_id=partner.organisation_id,
                data={"kid": kid},
                kind=AuditRecord.Kind.SECURITY,
            )


def apply_card_update(partner: Partner, card: dict[str, Any], *, actor: Actor) -> dict[str, list[str]]:
    """An ``institution.card`` message (already verified with a key the partner holds): the new
    key list replaces the old one — rotation with the overlap the partner set in ``exp``."""
    if card["institution_id"] != partner.institution_id:
        raise CardRefused("the card names another institution")
    with transaction.atomic():
        partner.card = card
        partner.endpoint = card.get("endpoint") or partner.endpoint
        partner.updated_at = clock.now()
        partner.save(update_fields=["card", "endpoint", "updated_at"])
        changes = _sync_keys(partner, card)
        audit.record(
            "contracting.exchange.partner.keys_updated",
            actor=actor,
            obj=partner,
            organisation_id=partner.organisation_id,
            data=changes,
            kind=AuditRecord.Kind.SECURITY,
        )
    return changes


def import_trust_list(data: str | bytes, *, actor: Actor) -> list[Partner]:
    """Register every card of a trust list (a JSON array of signed card files' contents); each
    partner still awaits confirmation. Returns the partners registered or refreshed."""
    try:
        entries = json.loads(data)
    except ValueError as exc:
        raise CardRefused("the trust list is not JSON") from exc
    if not isinstance(entries, list) or len(entries) > 1000:
        raise CardRefused("a trust list is a JSON array of at most 1000 signed cards")
    cards = [read_card(json.dumps(entry)) for entry in entries]
    registered = []
    for card in cards:
        existing = Partner.objects.filter(institution_id=card["institution_id"]).first()
        if existing is not None and existing.status == Partner.Status.TRUSTED:
            continue
        registered.append(register(card, actor=actor))
    return registered

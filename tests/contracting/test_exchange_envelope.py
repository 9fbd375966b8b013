"""The signed envelope and partner cards (issue 18, ADR 0063): what is sealed opens; every way a
package can be wrong is refused with its reason."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest

from okienko.contracting.exchange import catalogue, directory, envelope, keys, partners
from okienko.contracting.exchange.envelope import Refused
from okienko.contracting.exchange.models import Direction, ExchangeMessage, Partner
from okienko.core import clock
from tests.contracting.exchange_helpers import CONTRACT, REF, Pair, pair_fixture

pytestmark = pytest.mark.django_db
__all__ = ["pair_fixture"]


def _refused(raw: str | bytes, **kw: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        envelope.open_envelope(raw, **kw)
    return caught.value


def _package(pair: Pair) -> dict[str, Any]:
    fields = {"first_name": "Zażółć", "education_level": "secondary"}
    return {
        "request": str(uuid.UUID(int=9)),
        "direction": "office_to_agency",
        "records": [
            {
                "ref": REF,
                "record_id": str(uuid.UUID(int=10)),
                "fields": fields,
                "sha256": envelope.sha256(envelope.canonical(fields)),
            }
        ],
    }


def test_a_confirmed_partner_s_message_opens(pair: Pair) -> None:
    pair.trust()
    sealed = pair.seal()
    opened = envelope.open_envelope(sealed.envelope)
    assert opened.header["type"] == "contract.status"
    assert opened.header["id"] == sealed.message_id
    assert opened.body["to"] == "ended"
    assert opened.partner == pair.partner
    assert opened.receiver == pair.receiver
    assert not opened.encrypted


def test_personal_data_travels_encrypted_and_opens_with_the_receiver_s_key(pair: Pair) -> None:
    pair.trust()
    with pytest.raises(ValueError, match="encrypted"):
        pair.seal("data.package", _package(pair))
    sealed = pair.seal("data.package", _package(pair), encrypt_to_jwk=pair.enc)
    assert "Zażółć" not in sealed.envelope
    assert "Za\\u017c" not in sealed.envelope
    opened = envelope.open_envelope(sealed.envelope)
    assert opened.encrypted
    assert opened.body["records"][0]["fields"]["first_name"] == "Zażółć"


def test_a_pending_partner_is_not_trusted_until_the_fingerprint_is_confirmed(pair: Pair) -> None:
    sealed = pair.seal()
    assert _refused(sealed.envelope).reason == "untrusted_sender"
    with pytest.raises(partners.CardRefused):
        partners.confirm(pair.partner, actor=pair.admin, fingerprint="0000 1111")
    pair.trust()
    assert Partner.objects.get(pk=pair.partner.pk).status == Partner.Status.TRUSTED


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: raw[: len(raw) // 2], "malformed"),
        (lambda raw: b"\xff\xfe" + raw.encode(), "malformed"),
        (lambda raw: "[]", "malformed"),
        (lambda raw: json.dumps({**json.loads(raw), "signature": json.loads(raw)["signature"][::-1]}), "bad_signature"),
    ],
)
def test_a_damaged_package_is_refused(pair: Pair, damage: Any, reason: str) -> None:
    pair.trust()
    assert _refused(damage(pair.seal().envelope)).reason == reason


def _tamper(raw: str, **changes: Any) -> str:
    outer = json.loads(raw)
    payload = json.loads(base64.urlsafe_b64decode(outer["payload"] + "=="))
    payload.update(changes)
    outer["payload"] = base64.urlsafe_b64encode(envelope.canonical(payload)).decode().rstrip("=")
    return json.dumps(outer)


def test_a_changed_payload_fails_the_signature(pair: Pair) -> None:
    pair.trust()
    raw = pair.seal().envelope
    assert _refused(_tamper(raw, purpose="something else")).reason == "bad_signature"
    assert _refused(_tamper(raw, sender="PL-NIP-1234563218")).reason == "unknown_sender"


def test_unknown_revoked_and_expired_keys(pair: Pair) -> None:
    pair.trust()
    raw = pair.seal().envelope
    partners.revoke_key(pair.partner, pair.sign_key.kid, actor=pair.admin)
    assert _refused(raw).reason == "revoked_key"
    pair.partner.keys.update(revoked_at=None, expires_at=clock.now() - dt.timedelta(days=1))
    directory.forget()  # a queryset update sends no signal
    assert _refused(raw).reason == "expired_key"
    pair.partner.keys.all().delete()
    assert _refused(raw).reason == "unknown_key"


def test_a_package_for_another_institution_is_refused(pair: Pair) -> None:
    pair.trust()
    sealed = envelope.seal(
        sender=pair.sender,
        receiver="PL-NIP-1234563218",
        type="contract.status",
        body={"from": "active", "to": "ended", "at": "2026-12-06T10:00:00+01:00"},
        contract=CONTRACT,
        signing=pair.sign_key,
    )
    assert _refused(sealed.envelope).reason == "not_for_us"


def test_a_clock_two_hours_off_is_refused_either_way(pair: Pair) -> None:
    pair.trust()
    now = clock.now()
    ahead = pair.seal(now=now + dt.timedelta(hours=2))
    assert _refused(ahead.envelope).reason == "clock_skew"
    behind = pair.seal(now=now - dt.timedelta(hours=2))
    assert _refused(behind.envelope).reason == "expired"
    by_file = pair.seal(now=now - dt.timedelta(hours=2), ttl=envelope.FILE_TTL)
    assert envelope.open_envelope(by_file.envelope).header["id"] == by_file.message_id


def test_a_replayed_message_id_is_refused_and_the_same_package_is_a_duplicate(pair: Pair) -> None:
    pair.trust()
    sealed = pair.seal()
    opened = envelope.open_envelope(sealed.envelope)
    now = clock.now()
    ExchangeMessage.objects.create(
        direction=Direction.IN,
        message_id=opened.header["id"],
        sender=opened.header["sender"],
        receiver=opened.header["receiver"],
        type=opened.header["type"],
        payload_sha256=opened.header["payload_sha256"],
        status=ExchangeMessage.Status.APPLIED,
        recorded_at=now,
        updated_at=now,
    )
    assert _refused(sealed.envelope).reason == "duplicate"
    resent = pair.seal(message_id=sealed.message_id)  # sealed again later: the same content
    assert _refused(resent.envelope).reason == "duplicate"
    other = pair.seal(
        message_id=sealed.message_id, body={"from": "active", "to": "suspended", "at": "2026-12-06T11:00:00+01:00"}
    )
    assert _refused(other.envelope).reason == "replayed"


def test_a_personal_type_sent_in_clear_and_a_wrong_hash_are_refused(pair: Pair) -> None:
    pair.trust()
    raw = pair.seal().envelope
    outer = json.loads(raw)
    payload = json.loads(base64.urlsafe_b64decode(outer["payload"] + "=="))
    # Re-sign a payload whose hash does not match its body, and one that carries personal data
    # in clear, with the sender's own key: the signature is valid, the content is not.
    from joserfc import jws

    def resign(changed: dict[str, Any]) -> str:
        signed = jws.serialize_json(
            {"protected": {"alg": "Ed25519", "kid": pair.sign_key.kid, "typ": envelope.TYP}},
            envelope.canonical(changed),
            keys.private_key(pair.sign_key),
            registry=envelope._jws_registry(),
        )
        return json.dumps(signed)

    assert _refused(resign({**payload, "payload_sha256": "0" * 64})).reason == "payload_hash_mismatch"
    body = _package(pair)
    clear = {
        **payload,
        "type": "data.package",
        "body": body,
        "payload_sha256": envelope.sha256(envelope.canonical(body)),
    }
    assert _refused(resign(clear)).reason == "not_encrypted"
    wrong = {"from": "active"}
    bad = {**payload, "body": wrong, "payload_sha256": envelope.sha256(envelope.canonical(wrong))}
    assert _refused(resign(bad)).reason == "schema_invalid"


def test_a_package_encrypted_to_another_key_does_not_open(pair: Pair) -> None:
    pair.trust()
    other = keys.public_only(partners.card_of(pair.receiver)["keys"][0])
    from joserfc.jwk import OKPKey

    stranger = OKPKey.generate_key("X25519").as_dict(private=False)
    sealed = pair.seal("data.package", _package(pair), encrypt_to_jwk={**stranger, "kid": "x" * 43})
    assert other
    assert _refused(sealed.envelope).reason == "decrypt_failed"


def test_rotation_keeps_old_packages_decryptable_during_the_overlap(pair: Pair) -> None:
    pair.trust()
    sealed = pair.seal("data.package", _package(pair), encrypt_to_jwk=pair.enc)
    keys.rotate(pair.receiver, actor=pair.admin, overlap=dt.timedelta(days=7))
    assert envelope.open_envelope(sealed.envelope).encrypted
    card = partners.card_of(pair.receiver)
    assert len([k for k in card["keys"] if k["use"] == "enc"]) == 2
    # After the overlap the old key no longer decrypts.
    later = clock.now() + dt.timedelta(days=8)
    stale = pair.seal("data.package", _package(pair), encrypt_to_jwk=pair.enc, now=later, ttl=envelope.FILE_TTL)
    assert _refused(stale.envelope, now=later).reason == "decrypt_failed"


def test_a_card_update_signed_by_a_trusted_key_rotates_the_partner_s_keys(pair: Pair) -> None:
    pair.trust()
    new_card = dict(pair.partner.card)
    fresh = keys.public_only(__import__("joserfc.jwk", fromlist=["OKPKey"]).OKPKey.generate_key("Ed25519").as_dict())
    from joserfc.jwk import OKPKey

    kid = OKPKey.import_key(fresh).thumbprint()
    new_card["keys"] = [*new_card["keys"], {**fresh, "kid": kid, "use": "sig"}]
    assert catalogue.errors("institution.card", new_card) == []
    changes = partners.apply_card_update(pair.partner, new_card, actor=pair.admin)
    assert changes["added"] == [kid]
    assert pair.partner.keys.filter(kid=kid).exists()


def test_cards_are_verified_before_registration(pair: Pair) -> None:
    outer = json.loads(pair.card_text)
    outer["signature"] = outer["signature"][::-1]
    with pytest.raises(partners.CardRefused):
        partners.read_card(json.dumps(outer))
    with pytest.raises(partners.CardRefused):
        partners.read_card("not json")
    with pytest.raises(partners.CardRefused, match="this installation"):
        partners.register(partners.card_of(pair.receiver), actor=pair.admin)
    assert " " in keys.fingerprint(pair.enc)


def test_schemas_are_valid_documents() -> None:
    from jsonschema import Draft202012Validator

    for code in [*catalogue.TYPES, "envelope"]:
        Draft202012Validator.check_schema(catalogue.schema_of(code))

"""The message types of the exchange and a JSON Schema (draft 2020-12) for each body.

The schemas are the contract between installations: ``docs/contracting/schemas/`` holds them as
files (``manage.py exchange_schemas``; a test keeps them equal to this module), and both packing
and unpacking validate against them. ``personal`` types carry personal data: their body must be
encrypted to the receiver, and an unencrypted one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs pinned

SCHEMA_BASE = "https://okienko.example/schemas/exchange/v1/"

UUID = {"type": "string", "format": "uuid", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
REF = {"type": "string", "pattern": "^P-[A-Z2-7]{16}$"}
INSTITUTION = {"type": "string", "pattern": "^PL-NIP-[0-9]{10}$"}
DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
TIME = {"type": "string", "format": "date-time", "maxLength": 40}
CODE = {"type": "string", "pattern": "^[a-z0-9_-]{1,60}$"}
TEXT = {"type": "string", "maxLength": 4000}
FIELDS = {"type": "array", "items": CODE, "uniqueItems": True, "maxItems": 200}
AMOUNT = {"type": "string", "pattern": "^-?[0-9]{1,12}(\\.[0-9]{1,2})?$"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
    }


JWK = _object(
    {
        "kty": {"const": "OKP"},
        "crv": {"enum": ["Ed25519", "X25519"]},
        "x": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
        "kid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
        "use": {"enum": ["sig", "enc"]},
    },
    {"exp": TIME, "revoked": TIME},
)

CARD = _object(
    {
        "institution_id": INSTITUTION,
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "kind": {"enum": ["pup", "wup", "agency"]},
        "nip": {"type": "string", "pattern": "^[0-9]{10}$"},
        "keys": {"type": "array", "items": JWK, "minItems": 2, "maxItems": 20},
    },
    {
        "regon": {"type": "string", "pattern": "^([0-9]{9}|[0-9]{14})?$"},
        "kraz_number": {"type": "string", "maxLength": 40},
        "endpoint": {"type": "string", "maxLength": 300},
        "contact_email": {"type": "string", "maxLength": 254},
        "issued": TIME,
    },
)

TRANCHE = _object(
    {
        "order": {"type": "integer", "minimum": 1, "maximum": 99},
        "name": {"type": "string", "maxLength": 200},
        "trigger": CODE,
        "minimum_days": {"type": "integer", "minimum": 0, "maximum": 3650},
        "evidence_required": {"type": "boolean"},
    },
    {"percent": {"anyOf": [AMOUNT, {"type": "null"}]}, "amount": {"anyOf": [AMOUNT, {"type": "null"}]}},
)

CONTRACT = _object(
    {
        "uuid": UUID,
        "number": {"type": "string", "minLength": 1, "maxLength": 60},
        "office": INSTITUTION,
        "agency": INSTITUTION,
        "legal_basis": {"type": "string", "maxLength": 300},
        "start_date": DATE,
        "end_date": DATE,
        "planned_participants": {"type": "integer", "minimum": 0},
        "indicators": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "price_per_participant": AMOUNT,
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "agency_role": CODE,
        "end_policy": CODE,
        "status": CODE,
        "tranche_scheme": _object(
            {
                "code": CODE,
                "name": {"type": "string", "maxLength": 200},
                "tranches": {"type": "array", "items": TRANCHE, "maxItems": 20},
            }
        ),
    },
    {
        "region_office": {"anyOf": [INSTITUTION, {"type": "null"}]},
        "title": {"type": "string", "maxLength": 300},
        "procurement_reference": {"type": "string", "maxLength": 120},
    },
)

TRANSITION = _object({"from": CODE, "to": CODE, "at": TIME}, {"note": TEXT})

SHARING = _object(
    {
        "request": UUID,
        "direction": {"enum": ["office_to_agency", "agency_to_office"]},
        "purpose": CODE,
        "legal_basis": {"type": "string", "maxLength": 300},
        "requested_fields": FIELDS,
        "participants": {"type": "array", "items": REF, "uniqueItems": True, "maxItems": 100000},
        "valid_from": DATE,
        "valid_until": DATE,
    },
    {"note": TEXT},
)

FIELD_VALUE = {"type": ["string", "number", "integer", "boolean", "null", "array", "object"]}

PACKAGE_RECORD = _object(
    {
        "ref": REF,
        "record_id": UUID,
        "fields": {"type": "object", "propertyNames": CODE, "additionalProperties": FIELD_VALUE},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    }
)


@dataclass(frozen=True)
class MessageType:
    code: str
    title: str
    body: dict[str, Any]
    personal: bool = False
    needs_contract: bool = True


TYPES: dict[str, MessageType] = {
    t.code: t
    for t in [
        MessageType(
            "institution.card",
            "An institution's identity and public keys (a new card signed with a key the receiver trusts "
            "updates its keys: rotation)",
            CARD,
            needs_contract=False,
        ),
        MessageType("contract.offer", "A contract's terms, sent by the office to the agency", CONTRACT),
        MessageType("contract.status", "A contract changed status (ended, suspended, …)", TRANSITION),
        MessageType(
            "participant.nominated",
            "Participants nominated onto the contract: pseudonymous references only",
            _object(
                {
                    "participants": {
                        "type": "array",
                        "items": _object({"ref": REF, "status": CODE, "nominated_at": TIME}),
                        "maxItems": 100000,
                    }
                }
            ),
        ),
        MessageType(
            "participant.status",
            "A participant changed status (on either side)",
            _object(
                {"ref": REF, "from": CODE, "to": CODE, "at": TIME},
                {
                    "exit_reason": {"type": "string", "maxLength": 24},
                    "referral_date": {"anyOf": [DATE, {"type": "null"}]},
                },
            ),
        ),
        MessageType("sharing.proposal", "The office proposes (or the agency asks for) the office's data", SHARING),
        MessageType("records.request", "The office asks for the agency's records of participants", SHARING),
        MessageType(
            "sharing.decision",
            "The data owner's decision: approved, partially approved (reduced fields) or rejected",
            _object(
                {
                    "request": UUID,
                    "status": {"enum": ["approved", "partially_approved", "rejected"]},
                    "approved_fields": FIELDS,
                    "decided_at": TIME,
                },
                {"note": TEXT},
            ),
        ),
        MessageType(
            "sharing.revocation",
            "The data owner stops a request (or it expired or lapsed with the contract)",
            _object({"request": UUID, "status": CODE, "at": TIME}, {"note": TEXT}),
        ),
        MessageType(
            "data.package",
            "Approved fields of participants under an accepted request (encrypted)",
            _object(
                {
                    "request": UUID,
                    "direction": {"enum": ["office_to_agency", "agency_to_office"]},
                    "records": {"type": "array", "items": PACKAGE_RECORD, "maxItems": 100000},
                }
            ),
            personal=True,
        ),
        MessageType(
            "ack",
            "Acknowledgement: the receiver accepted and applied a message, or refused it with the reason",
            _object(
                {"of": UUID, "outcome": {"enum": ["applied", "refused", "duplicate"]}}, {"reason": CODE, "detail": TEXT}
            ),
            needs_contract=False,
        ),
        MessageType(
            "contract.end",
            "The contract ended: sharing stops at once on both sides; data is deleted or archived per the policy",
            _object({"ended_on": DATE, "policy": {"enum": ["delete", "archive"]}, "at": TIME}, {"note": TEXT}),
        ),
        MessageType(
            "certificate",
            "A signed deletion/archival certificate: the statement and the signed PDF",
            _object(
                {
                    "kind": {"enum": ["delete", "archive"]},
                    "statement": {"type": "object"},
                    "statement_jws": {"type": "string", "maxLength": 200000},
                    "pdf": {"type": "string", "contentEncoding": "base64", "maxLength": 20000000},
                    "issued_at": TIME,
                }
            ),
        ),
    ]
}

ENVELOPE = _object(
    {
        "v": {"const": 1},
        "id": UUID,
        "type": {"enum": sorted(TYPES)},
        "sender": INSTITUTION,
        "receiver": INSTITUTION,
        "created": TIME,
        "expires": TIME,
        "payload_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    {
        "correlation_id": {"anyOf": [UUID, {"type": "null"}]},
        "contract": {"anyOf": [UUID, {"type": "null"}]},
        "purpose": {"type": "string", "maxLength": 60},
        "body": {"type": "object"},
        "encrypted": {"type": "string", "maxLength": 200000000},
    },
)


def schema_of(code: str) -> dict[str, Any]:
    """The whole JSON Schema document of a message type's body (or ``envelope``)."""
    body = ENVELOPE if code == "envelope" else TYPES[code].body
    title = "The signed envelope's payload" if code == "envelope" else TYPES[code].title
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{code}.json",
        "title": title,
        **body,
    }


@cache
def validator(code: str) -> Any:
    return Draft202012Validator(schema_of(code))


def errors(code: str, document: Any) -> list[str]:
    """Validation errors of ``document`` against the schema (path: message), at most ten."""
    found = []
    for error in validator(code).iter_errors(document):
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{path}: {error.message[:200]}")
        if len(found) == 10:
            break
    return found

"""Identifiers Kontraktor checks: NIP (via the clients app), REGON (9 or 14 digits), KZiS codes,
and the pseudonymous participant reference."""

from __future__ import annotations

import base64
import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from okienko.clients.identifiers import validate_nip

REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)
REF_PATTERN = re.compile(r"P-[A-Z2-7]{16}")


def nip_validator(value: str) -> None:
    """A model-field validator: ten digits with a matching check digit."""
    validate_nip(value)


def regon_checksum(digits: str) -> int:
    weights = REGON9_WEIGHTS if len(digits) == 8 else REGON14_WEIGHTS
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def validate_regon(value: str) -> str:
    """Return the REGON (9 or 14 digits) or raise ``ValidationError`` saying what is wrong."""
    regon = re.sub(r"[\s\-]", "", value or "")
    if not re.fullmatch(r"\d{9}|\d{14}", regon):
        raise ValidationError(_("A REGON number has 9 or 14 digits."), code="regon_format")
    if regon_checksum(regon[:-1]) != int(regon[-1]):
        raise ValidationError(
            _("This REGON number is not valid: its check digit does not match."), code="regon_checksum"
        )
    return regon


def regon_validator(value: str) -> None:
    validate_regon(value)


def make_regon(prefix: int) -> str:
    """A valid 9-digit REGON from a number (demo data and tests)."""
    first_eight = f"{prefix % 10**8:08d}"
    return first_eight + str(regon_checksum(first_eight))


def validate_kzis(value: str) -> str:
    """A KZiS occupation code: six digits (the first four are the ISCO-08 unit group)."""
    code = (value or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError(_("An occupation code (KZiS) has exactly 6 digits."), code="kzis_format")
    return code


def kzis_validator(value: str) -> None:
    validate_kzis(value)


def new_participant_ref() -> str:
    """``P-`` and 16 base32 characters (80 random bits): the only name a participant has outside the
    institution that holds their data."""
    return "P-" + base64.b32encode(secrets.token_bytes(10)).decode()


def is_participant_ref(value: object) -> bool:
    return isinstance(value, str) and REF_PATTERN.fullmatch(value) is not None

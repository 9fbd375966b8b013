"""Polish identifiers: PESEL (persons) and NIP (tax number), with checksum validation."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
# PESEL adds this to the month to encode the century of birth.
_CENTURY_OFFSETS = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


def pesel_checksum(first_ten: str) -> int:
    return (10 - sum(int(d) * w for d, w in zip(first_ten, PESEL_WEIGHTS, strict=True)) % 10) % 10


def pesel_birth_date(pesel: str) -> dt.date | None:
    """The birth date encoded in the first six digits, or None if it is not a real date."""
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    for offset, century in _CENTURY_OFFSETS.items():
        if offset < month <= offset + 12:
            try:
                return dt.date(century + year, month - offset, day)
            except ValueError:
                return None
    return None


def pesel_is_female(pesel: str) -> bool:
    return int(pesel[9]) % 2 == 0


def normalize_pesel(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def validate_pesel(value: str) -> str:
    """Return the PESEL without spaces, or raise ``ValidationError`` saying what is wrong."""
    pesel = normalize_pesel(value)
    if not re.fullmatch(r"\d{11}", pesel):
        raise ValidationError(_("A PESEL number has exactly 11 digits."), code="pesel_format")
    if pesel_checksum(pesel[:10]) != int(pesel[10]):
        raise ValidationError(
            _("This PESEL number is not valid: its check digit does not match."), code="pesel_checksum"
        )
    if pesel_birth_date(pesel) is None:
        raise ValidationError(_("This PESEL number does not encode a real date of birth."), code="pesel_date")
    return pesel


def normalize_nip(value: str) -> str:
    """Strip the PL prefix, spaces and dashes (``PL 123-456-32-18`` → ``1234563218``)."""
    cleaned = re.sub(r"[\s\-.]", "", value or "").upper()
    return cleaned.removeprefix("PL")


def nip_checksum(first_nine: str) -> int:
    """The check digit; 10 means no valid NIP starts with these nine digits."""
    return sum(int(d) * w for d, w in zip(first_nine, NIP_WEIGHTS, strict=True)) % 11


def validate_nip(value: str) -> str:
    """Return the NIP as ten digits, or raise ``ValidationError`` saying what is wrong."""
    nip = normalize_nip(value)
    if not re.fullmatch(r"\d{10}", nip):
        raise ValidationError(_("A NIP number has exactly 10 digits."), code="nip_format")
    check = nip_checksum(nip[:9])
    if check == 10 or check != int(nip[9]):
        raise ValidationError(_("This NIP number is not valid: its check digit does not match."), code="nip_checksum")
    return nip


def make_pesel(birth: dt.date, serial: int, *, female: bool) -> str:
    """Build a valid PESEL (for demo data and tests): ``serial`` 0–999, sex digit set from ``female``."""
    offset = next(o for o, c in _CENTURY_OFFSETS.items() if c <= birth.year < c + 100)
    sex = (serial % 5) * 2 + (0 if female else 1)
    first_ten = f"{birth.year % 100:02d}{birth.month + offset:02d}{birth.day:02d}{serial % 1000:03d}{sex}"
    return first_ten + str(pesel_checksum(first_ten))


def make_nip(prefix: int) -> str:
    """Build a valid NIP from a number (for demo data and tests), skipping unusable prefixes."""
    value = prefix
    while True:
        first_nine = f"{value % 10**9:09d}"
        if first_nine[0] != "0":
            check = nip_checksum(first_nine)
            if check != 10:
                return first_nine + str(check)
        value += 1

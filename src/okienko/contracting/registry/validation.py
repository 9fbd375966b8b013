"""Field-by-field checks of imported registry data. Each check returns the clean value or raises
``FieldProblem`` (a stable code and the reason in the user's language); ``RowProblems`` gathers a
row's problems so that the rejected-rows report names them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REFERENCE = Path(__file__).parent / "reference"
KZIS_EDITIONS = {"2023": REFERENCE / "kzis-2023.csv"}
DEFAULT_EDITION = "2023"

# Education levels as Syriusz-style exports name them: (stable code, label, other names seen in
# exports). Overridable with ``CONTRACTING_EDUCATION_LEVELS`` (same shape).
EDUCATION_LEVELS: list[tuple[str, str | Promise, tuple[str, ...]]] = [
    (
        "podstawowe",
        gettext_lazy("lower secondary (gimnazjalne), primary or below"),
        ("gimnazjalne", "gimnazjalne/podstawowe", "gimnazjalne i poniżej", "podstawowe", "poniżej podstawowego"),
    ),
    (
        "zasadnicze_zawodowe",
        gettext_lazy("basic vocational"),
        ("zasadnicze zawodowe", "zasadnicze zawodowe/branżowe", "branżowe i stopnia", "zasadnicze"),
    ),
    ("srednie_ogolne", gettext_lazy("general secondary"), ("średnie ogólnokształcące", "srednie ogolnoksztalcace")),
    (
        "policealne_srednie_zawodowe",
        gettext_lazy("post-secondary and vocational secondary"),
        ("policealne i średnie zawodowe", "policealne i średnie zawodowe/branżowe", "średnie zawodowe", "policealne"),
    ),
    ("wyzsze", gettext_lazy("higher (university)"), ("wyższe", "wyzsze")),
]

STATUS_NAMES = {
    "unemployed": "unemployed",
    "bezrobotny": "unemployed",
    "bezrobotna": "unemployed",
    "b": "unemployed",
    "job_seeker": "job_seeker",
    "poszukujący pracy": "job_seeker",
    "poszukujacy pracy": "job_seeker",
    "poszukująca pracy": "job_seeker",
    "p": "job_seeker",
    "deregistered": "deregistered",
    "wyrejestrowany": "deregistered",
    "wyrejestrowana": "deregistered",
    "w": "deregistered",
}
GENDER_NAMES = {"k": "F", "f": "F", "kobieta": "F", "m": "M", "mężczyzna": "M", "mezczyzna": "M"}

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_NAME_PUNCTUATION = frozenset(" -'’.")
_POSTCODE = re.compile(r"\d{2}-\d{3}")
_TERYT = re.compile(r"\d{7}")
_KZIS = re.compile(r"\d{6}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()./]")
_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_email = EmailValidator()


@dataclass(frozen=True)
class Problem:
    field: str
    value: str
    code: str
    reason: str


class FieldProblem(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class RowProblems(Exception):
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, value: object, problem: FieldProblem) -> None:
        self.problems.append(Problem(field_name, shown(value), problem.code, problem.reason))


def shown(value: object, limit: int = 80) -> str:
    """A raw value as it may be shown and stored in the report: control and bidirectional
    characters replaced, cut to ``limit`` characters (the CSV download escapes formulas)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text.replace("\t", "\N{REPLACEMENT CHARACTER}"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- text ------------------------------------------------------------------------------------------


def text(value: str, *, max_length: int, required: bool = False) -> str:
    """Free text (names of employers, qualifications…): no formula, no control characters."""
    if value[:1] in FORMULA_STARTS or value.lstrip(" ")[:1] in FORMULA_STARTS:
        raise FieldProblem("formula", _("Starts with a character a spreadsheet runs as a formula (= + - @)."))
    cleaned = " ".join(value.split())
    if _CONTROL.search(value):
        raise FieldProblem("control", _("Contains control characters."))
    if required and not cleaned:
        raise FieldProblem("required", _("Required."))
    if len(cleaned) > max_length:
        raise FieldProblem("too_long", _("Longer than %(max)d characters.") % {"max": max_length})
    return cleaned


def name(value: str, *, required: bool = True) -> str:
    """A first or last name: letters, spaces, hyphens, apostrophes and dots."""
    cleaned = text(value, max_length=100, required=required)
    if any(not (unicodedata.category(ch)[0] == "L" or ch in _NAME_PUNCTUATION) for ch in cleaned):
        raise FieldProblem("name", _("A name may contain only letters, spaces, hyphens and apostrophes."))
    return cleaned


# --- identity --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pesel:
    number: str
    birth_date: dt.date
    gender: str


def pesel(value: str) -> Pesel:
    """A PESEL: 11 digits, a real date of birth (the month carries the century) and the checksum."""
    number = value.strip()
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        raise FieldProblem("pesel_format", _("A PESEL has 11 digits."))
    digits = [int(d) for d in number]
    check = (10 - sum(w * d for w, d in zip(_PESEL_WEIGHTS, digits, strict=False)) % 10) % 10
    if check != digits[10]:
        raise FieldProblem("pesel_checksum", _("The PESEL's check digit is wrong."))
    year, month, day = digits[0] * 10 + digits[1], digits[2] * 10 + digits[3], digits[4] * 10 + digits[5]
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}[month // 10]
    try:
        born = dt.date(century + year, month % 20, day)
    except ValueError:
        raise FieldProblem("pesel_date", _("The PESEL does not hold a real date of birth.")) from None
    return Pesel(number, born, "M" if digits[9] % 2 else "F")


def document(value: str) -> str:
    """An identity document number (for people without a PESEL): letters and digits."""
    cleaned = text(value, max_length=40).replace(" ", "").upper()
    if cleaned and not (cleaned.isascii() and all(ch.isalnum() or ch in "-/" for ch in cleaned)):
        raise FieldProblem("document", _("A document number may contain only letters, digits, - and /."))
    return cleaned


# --- dates -----------------------------------------------------------------------------------------


def date(value: str, *, required: bool = False) -> dt.date | None:
    """A date written ``2024-03-15`` (ISO) or ``15.03.2024``."""
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise FieldProblem("required", _("Required."))
        return None
    try:
        if len(cleaned) == 10 and cleaned[4] == "-" and cleaned[7] == "-":
            return dt.date(int(cleaned[:4]), int(cleaned[5:7]), int(cleaned[8:]))
        if len(cleaned) == 10 and cleaned[2] == "." and cleaned[5] == ".":
            return dt.date(int(cleaned[6:]), int(cleaned[3:5]), int(cleaned[:2]))
    except ValueError:
        raise FieldProblem("date", _("Not a real date.")) from None
    raise FieldProblem("date_format", _("Write the date as 2024-03-15 or 15.03.2024."))


# --- contact ---------------------------------------------------------------------------------------


def email(value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        return ""
    if len(cleaned) > 254:
        raise FieldProblem("email", _("Not an e-mail address."))
    try:
        _email(cleaned)
    except ValidationError:
        raise FieldProblem("email", _("Not an e-mail address.")) from None
    local, _at, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


def phone(value: str) -> str:
    """A Polish number of 9 digits (``+48`` or ``0048`` optional) or an international ``+`` number,
    stored as ``+48600100200``."""
    cleaned = _PHONE_SEPARATORS.sub("", value.strip())
    if not cleaned:
        return ""
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    digits = cleaned[1:] if cleaned.startswith("+") else cleaned
    if not digits.isascii() or not digits.isdigit():
        raise FieldProblem("phone", _("Not a phone number."))
    if not cleaned.startswith("+"):
        if len(digits) != 9:
            raise FieldProblem("phone", _("A Polish phone number has 9 digits."))
        return "+48" + digits
    if digits.startswith("48") and len(digits) != 11:
        raise FieldProblem("phone", _("A Polish phone number has 9 digits."))
    if not 8 <= len(digits) <= 15:
        raise FieldProblem("phone", _("Not a phone number."))
    return "+" + digits


def postcode(value: str) -> str:
    cleaned = value.strip()
    if cleaned and not _POSTCODE.fullmatch(cleaned):
        raise FieldProblem("postcode", _("A postcode is written 15-354."))
    return cleaned


def teryt(value: str) -> str:
    cleaned = value.strip()
    if cleaned and not _TERYT.fullmatch(cleaned):
        raise FieldProblem("teryt", _("A TERYT code has 7 digits."))
    return cleaned


# --- classifications ------------------------------------------------------------------------------


@cache
def kzis_names(edition: str) -> dict[str, str]:
    """The occupations of a KZiS edition (code → name), from the list shipped in ``reference/``."""
    path = KZIS_EDITIONS[edition]
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def occupation(code: str, edition: str = "") -> dict[str, str]:
    cleaned, chosen = code.strip(), (edition.strip() or DEFAULT_EDITION)
    if chosen not in KZIS_EDITIONS:
        raise FieldProblem(
            "kzis_edition", _("Unknown edition of the classification of occupations: %(e)s.") % {"e": shown(chosen, 10)}
        )
    if not _KZIS.fullmatch(cleaned):
        raise FieldProblem("kzis_format", _("An occupation code (KZiS) has 6 digits."))
    if cleaned not in kzis_names(chosen):
        raise FieldProblem(
            "kzis_unknown", _("No occupation %(code)s in the KZiS %(edition)s.") % {"code": cleaned, "edition": chosen}
        )
    return {"code": cleaned, "edition": chosen}


def occupation_name(code: str, edition: str = DEFAULT_EDITION) -> str:
    names = kzis_names(edition) if edition in KZIS_EDITIONS else {}
    return names.get(code, "")


def education_levels() -> list[tuple[str, str | Promise, tuple[str, ...]]]:
    configured = getattr(settings, "CONTRACTING_EDUCATION_LEVELS", None)
    return list(configured) if configured else EDUCATION_LEVELS


@cache
def _education_lookup(levels: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, aliases in levels:
        found[code.casefold()] = code
        for alias in aliases:
            found[" ".join(alias.casefold().split())] = code
    return found


def education(value: str) -> str:
    cleaned = " ".join(value.casefold().split())
    if not cleaned:
        return ""
    lookup = _education_lookup(tuple((code, aliases) for code, _label, aliases in education_levels()))
    found = lookup.get(cleaned)
    if found is None:
        raise FieldProblem(
            "education",
            _("Not one of the education levels: %(levels)s.")
            % {"levels": ", ".join(code for code, _l, _a in education_levels())},
        )
    return found


def education_label(code: str) -> str:
    for known, label, _aliases in education_levels():
        if known == code:
            return str(label)
    return code


def status(value: str) -> str:
    found = STATUS_NAMES.get(" ".join(value.casefold().split()))
    if found is None:
        raise FieldProblem("status", _("The status must be: bezrobotny, poszukujący pracy or wyrejestrowany."))
    return found


def gender(value: str) -> str:
    cleaned = value.strip().casefold()
    if not cleaned:
        return ""
    found = GENDER_NAMES.get(cleaned)
    if found is None:
        raise FieldProblem("gender", _("The gender must be K or M."))
    return found


def strings(values: Iterable[str], *, max_length: int = 200, max_items: int = 50) -> list[str]:
    items = [text(v, max_length=max_length) for v in values]
    items = [item for item in items if item]
    if len(items) > max_items:
        raise FieldProblem("too_many", _("More than %(max)d entries.") % {"max": max_items})
    return items

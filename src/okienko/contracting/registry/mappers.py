"""Pluggable readers of Syriusz exports. Syriusz (the labour offices' core system) has no public
export format, so the shipped mappers read a plausible one, described in ``docs/contracting.md``
and shown by ``examples/``: a CSV file (semicolon or comma) and an XML file. An office whose
export differs registers its own mapper (``register``, or a dotted path in
``CONTRACTING_REGISTRY_MAPPERS``).

A mapper has a ``name``, a ``label``, ``rows(data)`` yielding ``(row number, raw fields)`` and
``map(raw)`` turning raw fields into the model's fields, or raising ``RowProblems`` naming each
field that is wrong. A file that cannot be read at all raises ``FileRefused``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, Protocol

from django.conf import settings
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from okienko.contracting.registry import validation as v
from okienko.core import clock

MAX_ROWS = 250_000
MAX_CELL = 10_000
LIST_SEPARATOR = "|"
PART_SEPARATOR = "^"


class FileRefused(Exception):
    """The file cannot be imported at all; ``message`` says why, for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Raw = dict[str, Any]


class Mapper(Protocol):
    name: str
    label: str | Promise

    def rows(self, data: bytes) -> Iterator[tuple[int, Raw]]: ...

    def map(self, raw: Raw) -> dict[str, Any]: ...


_registered: dict[str, Mapper] = {}


def register(mapper: Mapper) -> Mapper:
    _registered[mapper.name] = mapper
    return mapper


def available() -> dict[str, Mapper]:
    found = dict(_registered)
    for path in getattr(settings, "CONTRACTING_REGISTRY_MAPPERS", ()):
        mapper: Mapper = import_string(path)()
        found[mapper.name] = mapper
    return found


def get(name: str) -> Mapper | None:
    return available().get(name)


def choices() -> list[tuple[str, str]]:
    return [(name, str(mapper.label)) for name, mapper in available().items()]


# --- what every Syriusz export carries --------------------------------------------------------------

# Raw field (column or element name) → what it is; the report names the raw field.
COLUMNS = (
    "id_syriusz",
    "pesel",
    "dokument",
    "imie",
    "nazwisko",
    "data_urodzenia",
    "plec",
    "email",
    "telefon",
    "ulica",
    "kod_pocztowy",
    "miejscowosc",
    "teryt",
    "data_rejestracji",
    "status",
    "wyksztalcenie",
    "zawody",
    "edycja_kzis",
    "historia_zatrudnienia",
    "kwalifikacje",
    "aktywizacja",
    "profil_pomocy",
)
REQUIRED_COLUMNS = (
    "id_syriusz",
    "pesel",
    "imie",
    "nazwisko",
    "data_urodzenia",
    "data_rejestracji",
    "status",
    "wyksztalcenie",
    "zawody",
)
_REGISTRY_ID = re.compile(r"[A-Za-z0-9/._-]{1,40}")


def _scalar(raw: Raw, key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def build(raw: Raw) -> dict[str, Any]:
    """The model's fields from raw fields in the common shape: strings, and lists for
    ``zawody`` (list of (code, edition)), ``historia_zatrudnienia`` (dicts with pracodawca,
    stanowisko, od, do), ``kwalifikacje`` (strings) and ``aktywizacja`` (dicts with forma, od, do)."""
    problems = v.RowProblems()
    out: dict[str, Any] = {}

    def check(key: str, target: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        value = raw.get(key, "")
        try:
            result = func(value, *args, **kwargs)
        except v.FieldProblem as problem:
            problems.add(key, value, problem)
            return None
        out[target] = result
        return result

    registry_id = _scalar(raw, "id_syriusz").strip()
    if not registry_id:
        problems.add("id_syriusz", "", v.FieldProblem("required", _("Required.")))
    elif not _REGISTRY_ID.fullmatch(registry_id):
        problems.add(
            "id_syriusz",
            registry_id,
            v.FieldProblem("registry_id", _("A Syriusz id has up to 40 letters, digits and / . _ -.")),
        )
    else:
        out["registry_id"] = registry_id

    pesel_text = _scalar(raw, "pesel").strip()
    pesel = check("pesel", "pesel", v.pesel) if pesel_text else None
    out["pesel"] = pesel.number if pesel is not None else None
    document = check("dokument", "document", v.document)
    if not pesel_text and not document and "dokument" not in {p.field for p in problems.problems}:
        problems.add("pesel", "", v.FieldProblem("identity", _("Either a PESEL or an identity document is required.")))
    check("imie", "first_name", v.name)
    check("nazwisko", "last_name", v.name)
    born = check("data_urodzenia", "birth_date", v.date, required=True)
    gender = check("plec", "gender", v.gender)
    if pesel is not None and born is not None and pesel.birth_date != born:
        problems.add(
            "data_urodzenia",
            raw.get("data_urodzenia", ""),
            v.FieldProblem(
                "pesel_birth_date",
                _("The date of birth differs from the PESEL's (%(date)s).") % {"date": pesel.birth_date.isoformat()},
            ),
        )
    if pesel is not None and gender and gender != pesel.gender:
        problems.add(
            "plec", raw.get("plec", ""), v.FieldProblem("pesel_gender", _("The gender differs from the PESEL's."))
        )
    if pesel is not None and not gender:
        out["gender"] = pesel.gender
    check("email", "email", v.email)
    check("telefon", "phone", v.phone)
    check("ulica", "street", v.text, max_length=200)
    check("kod_pocztowy", "postcode", v.postcode)
    check("miejscowosc", "city", v.text, max_length=100)
    check("teryt", "teryt", v.teryt)
    registered = check("data_rejestracji", "registered_on", v.date, required=True)
    if registered is not None:
        today = clock.local_now().date()
        if registered > today:
            problems.add(
                "data_rejestracji",
                raw.get("data_rejestracji", ""),
                v.FieldProblem("future", _("The date is in the future.")),
            )
        elif born is not None and registered < born:
            problems.add(
                "data_rejestracji",
                raw.get("data_rejestracji", ""),
                v.FieldProblem("before_birth", _("Registered before being born.")),
            )
    check("status", "status", v.status)
    check("wyksztalcenie", "education_level", v.education)
    check("profil_pomocy", "assistance_profile", v.text, max_length=20)

    occupations: list[dict[str, str]] = []
    for code, edition in raw.get("zawody") or []:
        try:
            found = v.occupation(code, edition)
        except v.FieldProblem as problem:
            problems.add("zawody", code, problem)
        else:
            if found not in occupations:
                occupations.append(found)
    out["occupations"] = occupations

    out["work_history"] = _periods(
        raw, "historia_zatrudnienia", ("pracodawca", "stanowisko"), ("employer", "position"), problems
    )
    out["past_activation"] = _periods(raw, "aktywizacja", ("forma",), ("form",), problems)
    try:
        out["qualifications"] = v.strings(raw.get("kwalifikacje") or [])
    except v.FieldProblem as problem:
        problems.add("kwalifikacje", LIST_SEPARATOR.join(raw.get("kwalifikacje") or []), problem)

    if problems.problems:
        raise problems
    return out


def _periods(
    raw: Raw, key: str, texts: tuple[str, ...], names: tuple[str, ...], problems: v.RowProblems
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    items = raw.get(key) or []
    if len(items) > 50:
        problems.add(key, "", v.FieldProblem("too_many", _("More than %(max)d entries.") % {"max": 50}))
        return entries
    for item in items:
        try:
            entry: dict[str, Any] = {
                name: v.text(item.get(src, ""), max_length=200, required=True)
                for src, name in zip(texts, names, strict=True)
            }
            start = v.date(item.get("od", ""), required=True)
            end = v.date(item.get("do", ""))
        except v.FieldProblem as problem:
            problems.add(key, PART_SEPARATOR.join(str(x) for x in item.values()), problem)
            continue
        if start is not None and end is not None and end < start:
            problems.add(
                key,
                PART_SEPARATOR.join(str(x) for x in item.values()),
                v.FieldProblem("period", _("The period ends before it starts.")),
            )
            continue
        entry["from"] = start.isoformat() if start else None
        entry["to"] = end.isoformat() if end else None
        entries.append(entry)
    return entries


# --- CSV ---------------------------------------------------------------------------------------------

_LATIN2_MARKERS = frozenset("±¶Ľ¦¬Ľ")  # ą ś ź Ś Ź as ISO-8859-2 bytes read as Windows-1250
_FORBIDDEN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NOT_TEXT = gettext_lazy(
    "The file is not text in UTF-8 or Windows-1250 (it looks like UTF-16 or a binary file). "
    "Export it again as UTF-8 or Windows-1250."
)
WRONG_ENCODING = gettext_lazy(
    "The file's encoding is neither UTF-8 nor Windows-1250. Export it again as UTF-8 or Windows-1250."
)
LATIN2 = gettext_lazy(
    "The file looks like ISO-8859-2, not UTF-8 or Windows-1250: Polish letters would be garbled. "
    "Export it again as UTF-8 or Windows-1250."
)


def decode(data: bytes) -> tuple[str, str]:
    """The text of an export and its encoding: UTF-8 (with or without BOM), else Windows-1250
    (what Polish systems export); anything else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise FileRefused("encoding", str(NOT_TEXT))
    try:
        return _checked(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1250")
    except UnicodeDecodeError:
        raise FileRefused("encoding", str(WRONG_ENCODING)) from None
    if any(ch in _LATIN2_MARKERS for ch in text):
        raise FileRefused("encoding", str(LATIN2))
    return _checked(text), "windows-1250"


def _checked(text: str) -> str:
    if _FORBIDDEN_TEXT.search(text):
        raise FileRefused("encoding", _("The file contains control characters: it is not a text export."))
    return text


def header_key(name: str) -> str:
    """``Data urodzenia`` → ``data_urodzenia``, ``Imię`` → ``imie``: headers compared without case,
    Polish letters or spaces."""
    folded = name.strip().casefold().replace("ł", "l")
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return re.sub(r"[\s\-]+", "_", plain)


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator)] if value.strip() else []


class CsvMapper:
    name: str = "csv"
    label: str | Promise = gettext_lazy("CSV (semicolon or comma separated)")

    def rows(self, data: bytes) -> Iterator[tuple[int, Raw]]:
        text, _encoding = decode(data)
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        try:
            header = next(reader, None)
            if not header or not any(cell.strip() for cell in header):
                raise FileRefused("empty", _("The file has no header row."))
            keys = [header_key(cell) for cell in header]
            missing = [column for column in REQUIRED_COLUMNS if column not in keys]
            if missing:
                raise FileRefused(
                    "missing_columns",
                    _("Columns missing from the header: %(columns)s.") % {"columns": ", ".join(missing)},
                )
            number = 1
            for cells in reader:
                number += 1
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if number - 1 > MAX_ROWS:
                    raise FileRefused(
                        "too_many_rows", _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
                    )
                if len(cells) != len(keys):
                    yield number, {"_cells": (len(cells), len(keys)), "id_syriusz": cells[0] if cells else ""}
                    continue
                yield number, dict(zip(keys, cells, strict=True))
        except csv.Error as exc:
            raise FileRefused(
                "csv", _("The file is not a readable CSV file: %(error)s.") % {"error": v.shown(str(exc))}
            ) from None

    def map(self, raw: Raw) -> dict[str, Any]:
        if "_cells" in raw:
            found, expected = raw["_cells"]
            problem = v.FieldProblem(
                "cells",
                _("The row has %(found)d cells, the header %(expected)d.") % {"found": found, "expected": expected},
            )
            problems = v.RowProblems()
            problems.add("", "", problem)
            raise problems
        for key, value in raw.items():
            if len(value) > MAX_CELL:
                problems = v.RowProblems()
                problems.add(
                    key, value, v.FieldProblem("too_long", _("Longer than %(max)d characters.") % {"max": MAX_CELL})
                )
                raise problems
        edition = _scalar(raw, "edycja_kzis")
        common: Raw = {key: raw.get(key, "") for key in COLUMNS}
        common["zawody"] = [(code, edition) for code in _split(_scalar(raw, "zawody"), LIST_SEPARATOR)]
        common["historia_zatrudnienia"] = [
            _parts(entry, ("pracodawca", "stanowisko", "od", "do"))
            for entry in _split(_scalar(raw, "historia_zatrudnienia"), LIST_SEPARATOR)
        ]
        common["aktywizacja"] = [
            _parts(entry, ("forma", "od", "do")) for entry in _split(_scalar(raw, "aktywizacja"), LIST_SEPARATOR)
        ]
        common["kwalifikacje"] = _split(_scalar(raw, "kwalifikacje"), LIST_SEPARATOR)
        return build(common)


def _parts(entry: str, names: tuple[str, ...]) -> dict[str, str]:
    parts = entry.split(PART_SEPARATOR)
    return {name: (parts[i] if i < len(parts) else "") for i, name in enumerate(names)}


# --- XML ---------------------------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class XmlMapper:
    """``<eksport><osoba id="…">…</osoba>…</eksport>`` (see ``examples/syriusz-example.xml``),
    parsed as a stream without a DTD, entities or network; the row number is the person's position."""

    name: str = "xml"
    label: str | Promise = gettext_lazy("XML (<eksport> of <osoba> elements)")

    def rows(self, data: bytes) -> Iterator[tuple[int, Raw]]:
        if _DOCTYPE.search(data):
            raise FileRefused("doctype", _("The XML file declares a DTD or entities, which are not accepted."))
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileRefused("encoding", str(WRONG_ENCODING))
        events = etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        number = 0
        depth = 0
        try:
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1 and element.tag != "eksport":
                        raise FileRefused("xml_root", _("The XML file must have <eksport> as its root element."))
                    continue
                depth -= 1
                if depth == 1:
                    if element.tag != "osoba":
                        element.clear()
                        continue
                    number += 1
                    if number > MAX_ROWS:
                        raise FileRefused(
                            "too_many_rows", _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
                        )
                    yield number, _person(element)
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise FileRefused(
                "xml", _("The file is not well-formed XML: %(error)s.") % {"error": v.shown(str(exc))}
            ) from None
        if number == 0 and depth == 0:
            return

    def map(self, raw: Raw) -> dict[str, Any]:
        return build(raw)


def _text(element: Any, path: str) -> str:
    found = element.find(path)
    return (found.text or "") if found is not None else ""


def _person(element: Any) -> Raw:
    raw: Raw = {key: _text(element, key) for key in COLUMNS}
    raw["id_syriusz"] = element.get("id", "")
    raw["email"] = _text(element, "kontakt/email")
    raw["telefon"] = _text(element, "kontakt/telefon")
    for key in ("ulica", "kod_pocztowy", "miejscowosc", "teryt"):
        raw[key] = _text(element, f"adres/{key}")
    registration = element.find("rejestracja")
    raw["data_rejestracji"] = registration.get("data", "") if registration is not None else ""
    raw["status"] = registration.get("status", "") if registration is not None else ""
    raw["zawody"] = [(z.get("kod", ""), z.get("edycja", "")) for z in element.iterfind("zawody/zawod")][:51]
    raw["historia_zatrudnienia"] = [
        {
            "pracodawca": e.get("pracodawca", ""),
            "stanowisko": e.get("stanowisko", ""),
            "od": e.get("od", ""),
            "do": e.get("do", ""),
        }
        for e in element.iterfind("historia_zatrudnienia/zatrudnienie")
    ][:51]
    raw["kwalifikacje"] = [(k.text or "") for k in element.iterfind("kwalifikacje/kwalifikacja")][:51]
    raw["aktywizacja"] = [
        {"forma": e.get("forma", ""), "od": e.get("od", ""), "do": e.get("do", "")}
        for e in element.iterfind("aktywizacja/udzial")
    ][:51]
    for key, value in list(raw.items()):
        if isinstance(value, str) and len(value) > MAX_CELL:
            raw[key] = value[:MAX_CELL]
    return raw


register(CsvMapper())
register(XmlMapper())

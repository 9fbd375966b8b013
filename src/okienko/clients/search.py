"""Normalisation and the desk's client lookup (number, name, phone, PESEL, NIP, e-mail; typo-tolerant).

Portable on SQLite and PostgreSQL (ADR 0010): names are stored normalised (``search_name``:
lower case, no diacritics) and matched by prefix through a B-tree index; a typo'd surname is
matched by trigram word similarity (``<%``, GIN index) on PostgreSQL and by a bounded
candidate scan ranked with ``difflib`` on SQLite.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from django.db import connection, models
from django.db.models.expressions import RawSQL

from okienko.clients.models import Client, ClientContact, ClientQuerySet

_EXTRA_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
NUMBER_PREFIX = "K"
NUMBER_DIGITS = 7
FUZZY_CANDIDATES = 3000
FUZZY_RATIO = 0.75


def fold(text: str) -> str:
    """Lower case without diacritics and with single spaces: ``Łukasz  Żółć`` → ``lukasz zolc``."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w@.+\-]", " ", plain).split())


def normalize_phone(value: str) -> str:
    """Digits only, without the Polish country code: ``+48 601-234-567`` → ``601234567``."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0048"):
        digits = digits[4:]
    elif digits.startswith("48") and len(digits) == 11:
        digits = digits[2:]
    return digits


def normalize_contact(kind: str, value: str) -> str:
    return normalize_phone(value) if kind == ClientContact.Kind.PHONE else (value or "").strip().lower()


def format_number(value: int) -> str:
    return f"{NUMBER_PREFIX}{value:0{NUMBER_DIGITS}d}"


def parse_number(query: str) -> str | None:
    """``k123``, ``K-0000123`` or ``K0000123`` → ``K0000123``; None if it is not a client number."""
    match = re.fullmatch(rf"{NUMBER_PREFIX}[\s\-]?0*(\d{{1,{NUMBER_DIGITS}}})", query.strip(), re.IGNORECASE)
    return format_number(int(match.group(1))) if match else None


def search_name_of(client: Client) -> str:
    if client.kind == Client.Kind.ORGANISATION:
        return fold(client.organisation_name)
    return fold(f"{client.last_name} {client.first_name}")


def search_text_of(client: Client, contacts: Iterable[str] = ()) -> str:
    parts = [client.number.lower(), search_name_of(client), client.pesel, client.nip, fold(client.city), *contacts]
    return " ".join(p for p in parts if p)


def _by_name(qs: ClientQuerySet, words: list[str]) -> ClientQuerySet:
    first, rest = words[0], words[1:]
    matched = qs.filter(search_name__startswith=first)
    for word in rest:
        matched = matched.filter(search_name__contains=f" {word}")
    return matched


def _fuzzy(qs: ClientQuerySet, words: list[str], limit: int) -> list[Client]:
    term = " ".join(words)
    if connection.vendor == "postgresql":
        similar = RawSQL("%s <%% search_name", (term,), output_field=models.BooleanField())
        score = RawSQL("word_similarity(%s, search_name)", (term,), output_field=models.FloatField())
        return list(qs.alias(similar=similar).filter(similar=True).annotate(score=score).order_by("-score")[:limit])
    # SQLite: scan a bounded set of names sharing the first letter, rank by similarity.
    candidates = qs.filter(search_name__startswith=term[:1]).only("id", "search_name")[:FUZZY_CANDIDATES]
    scored = []
    for client in candidates:
        head = " ".join(client.search_name.split()[: len(words)])
        ratio = difflib.SequenceMatcher(None, term, head).ratio()
        if ratio >= FUZZY_RATIO:
            scored.append((ratio, client.pk))
    best = [pk for _ratio, pk in sorted(scored, reverse=True)[:limit]]
    found = {c.pk: c for c in qs.filter(pk__in=best)}
    return [found[pk] for pk in best if pk in found]


def lookup_clients(qs: ClientQuerySet, query: str, *, limit: int = 20) -> list[Client]:
    """The clients in ``qs`` matching what a consultant typed, best matches first."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    qs = qs.active()
    number = parse_number(query)
    if number:
        return list(qs.filter(number=number)[:limit])
    if "@" in query:
        email = query.lower()
        ids = ClientContact.objects.filter(kind=ClientContact.Kind.EMAIL, normalized__startswith=email).values(
            "client_id"
        )
        return list(qs.filter(pk__in=ids)[:limit])
    digits = re.sub(r"[\s\-()+]", "", query)
    if digits.isdigit():
        phone = normalize_phone(query)
        if len(digits) == 11 and not query.lstrip().startswith("+"):
            found = list(qs.filter(pesel=digits)[:limit])
            if found:
                return found
        if len(digits) == 10:
            found = list(qs.filter(nip=digits)[:limit])
            if found:
                return found
        ids = ClientContact.objects.filter(kind=ClientContact.Kind.PHONE, normalized__startswith=phone).values(
            "client_id"
        )
        return list(qs.filter(pk__in=ids)[:limit])
    words = fold(query).split()
    if not words:
        return []
    exact = list(_by_name(qs, words).order_by("search_name", "number")[:limit])
    if exact or len(words[0]) < 3:
        return exact
    return _fuzzy(qs, words, limit)

"""Normalisation and the desk's client lookup (number, name, phone, PESEL, NIP, e-mail; typo-tolerant).

Portable on SQLite and PostgreSQL (ADR 0010): names are stored normalised (``search_name``:
lower case, no diacritics) and matched by prefix through a B-tree index. A typo'd surname is
first matched against the small dictionary of distinct surnames (``ClientNameWord``) — by
trigram similarity (GIN index) on PostgreSQL, by ``difflib`` on SQLite — and the clients are
then found by exact prefix of the corrected surname.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from okienko.clients.models import Client, ClientContact, ClientNameWord, ClientQuerySet
from okienko.core import finders
from okienko.core.text import fold

NUMBER_PREFIX = "K"
NUMBER_DIGITS = 7
FUZZY_WORDS = 5
FUZZY_RATIO = 0.75


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


def _prefix(qs: ClientQuerySet, prefix: str) -> ClientQuerySet:
    # A range rather than LIKE 'x%': the same rows for the normalised alphabet, and the database
    # walks the (search_name, number) index in order and stops after ``limit`` rows.
    return qs.filter(search_name__gte=prefix, search_name__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _by_name(qs: ClientQuerySet, words: list[str], limit: int) -> list[Client]:
    """Clients whose name starts with the words as typed ("kowalski jan"), else whose surname
    starts with the first word and who have the other words in their name ("jan kowalski")."""
    ordered = ("search_name", "number")
    found = list(_prefix(qs, " ".join(words)).order_by(*ordered)[:limit])
    if found or len(words) == 1:
        return found
    matched = _prefix(qs, words[0])
    for word in words[1:]:
        matched = matched.filter(search_name__contains=f" {word}")
    return list(matched.order_by(*ordered)[:limit])


def similar_words(word: str, *, limit: int = FUZZY_WORDS) -> list[str]:
    """Words of the name dictionary that look like ``word`` (a typo'd surname), best first."""
    if connection.vendor == "postgresql":
        # ``%`` compares with pg_trgm.similarity_threshold (default 0.3, the value we want).
        similar = RawSQL("word %% %s", (word,), output_field=models.BooleanField())
        score = RawSQL("similarity(word, %s)", (word,), output_field=models.FloatField())
        rows = ClientNameWord.objects.alias(similar=similar).filter(similar=True).annotate(score=score)
        return list(rows.order_by("-score", "word").values_list("word", flat=True)[:limit])
    # SQLite (small embedded installations): rank the dictionary words of similar length.
    near = ClientNameWord.objects.annotate(size=Length("word")).filter(size__gte=len(word) - 2, size__lte=len(word) + 2)
    scored = []
    for candidate in near.values_list("word", flat=True).iterator():
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        if ratio >= FUZZY_RATIO:
            scored.append((-ratio, candidate))
    return [w for _ratio, w in sorted(scored)[:limit]]


def _fuzzy(qs: ClientQuerySet, words: list[str], limit: int) -> list[Client]:
    found: list[Client] = []
    for candidate in similar_words(words[0]):
        if candidate == words[0]:
            continue
        found.extend(_by_name(qs, [candidate, *words[1:]], limit - len(found)))
        if len(found) >= limit:
            break
    return found


def remember_name(search_name: str) -> None:
    """Add the first word of a client's normalised name to the dictionary used for typos."""
    word = search_name.split(" ", 1)[0]
    if word:
        ClientNameWord.objects.bulk_create([ClientNameWord(word=word[:150])], ignore_conflicts=True)


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
    exact = _by_name(qs, words, limit)
    if exact or len(words[0]) < 3:
        return exact
    return _by_any_word(qs, words, limit) or _fuzzy(qs, words, limit)


def _by_any_word(qs: ClientQuerySet, words: list[str], limit: int) -> list[Client]:
    """Employers and other organisations with every typed word at the start of a word of their
    name, wherever it stands: ``ciesielski`` finds Sklep Spożywczy „Ciesielski” (quotes and
    legal-form words are not what people remember)."""
    matched = qs.filter(kind=Client.Kind.ORGANISATION)
    for word in words:
        matched = matched.filter(models.Q(search_name__startswith=word) | models.Q(search_name__contains=f" {word}"))
    return list(matched.order_by("search_name", "number")[:limit])


def find_clients(request: Any, query: str) -> list[finders.Hit]:
    """Clients for the desk's search box (``core.finders``), for staff who serve clients."""
    from django.urls import reverse

    from okienko.accounts import access
    from okienko.accounts.roles import Perm

    if not access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        return []
    qs = Client.objects.visible_to(request.user).select_related("home_office")
    exact = parse_number(query) is not None
    return [
        finders.Hit(
            "client",
            c.display_name,
            reverse("clients:card", args=[c.uuid]),
            f"{c.number} · {c.home_office}",
            exact=exact,
        )
        for c in lookup_clients(qs, query)
    ]


def register_finder() -> None:
    finders.register("clients", find_clients, order=10)

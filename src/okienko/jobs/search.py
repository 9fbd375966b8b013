"""Offer search with Polish analysis (issue 19, item 5; ADR 0065).

Indexing reuses the knowledge base's analyser (``knowledge.search.analysis``: morfeusz2 lemmas
plus the folded surface form, diacritics folded): an offer's title, occupation (the KZiS name and
the GUS thesaurus words of its code, ``reference/occupation-synonyms.csv``) and description are
stored as space-separated keys on the offer. PostgreSQL derives a weighted ``tsvector`` from them
(generated column, GIN index); SQLite keeps them in the FTS5 table ``jobs_offer_fts``. Folded
inflected forms of every lemma met are kept in ``SearchForm``, so that "kierowcow" typed without
Polish letters meets "kierowców".

A query is split into words (only letters and digits survive, so FTS syntax typed by a user is
plain words); each word becomes a group of alternative keys, and every group must match.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import Q, QuerySet

from okienko.jobs.models import JobOffer, SearchForm
from okienko.jobs.states import PayPeriod
from okienko.knowledge.search.analysis import fold, get_analyser, words

REFERENCE = Path(__file__).resolve().parent / "reference"
MAX_QUERY_WORDS = 8
MAX_QUERY = 200
KM_PER_DEGREE = 111.2


@cache
def occupation_names() -> dict[str, str]:
    with (REFERENCE / "kzis-2023.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


@cache
def occupation_synonyms() -> dict[str, str]:
    with (REFERENCE / "occupation-synonyms.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["words"] for row in csv.DictReader(handle)}


def occupation_text(code: str) -> str:
    if not code:
        return ""
    return f"{occupation_names().get(code, '')} {occupation_synonyms().get(code, '')}".strip()


# --- Indexing ----------------------------------------------------------------------------------


def _known_lemmas(keys: set[str]) -> set[str]:
    return set(SearchForm.objects.filter(form__in=keys, lemma__in=keys).values_list("lemma", flat=True))


def analyse(text: str) -> str:
    """Space-separated search keys of ``text``; new lemmas' folded forms go to ``SearchForm``."""
    analysis = get_analyser().analyse_document(text, known_lemmas=_known_lemmas)
    if analysis.forms:
        SearchForm.objects.bulk_create(
            [SearchForm(form=form[:40], lemma=lemma[:40]) for form, lemma in analysis.forms.items()],
            ignore_conflicts=True,
            batch_size=2000,
        )
    return " ".join(analysis.keys)


def offer_texts(offer: JobOffer) -> tuple[str, str, str]:
    from okienko.jobs.content import plain_text

    body = " ".join(
        [
            plain_text(offer.description),
            offer.requirements_text,
            " ".join(str(s) for s in offer.skills),
            offer.place_locality,
            offer.employer.name if offer.employer_id else "",
        ]
    )
    return offer.title, occupation_text(offer.occupation_code), body


def index_offer(offer: JobOffer) -> None:
    """Write the offer's search keys (in the caller's transaction)."""
    title, occupation, body = offer_texts(offer)
    offer.title_keys, offer.occupation_keys, offer.body_keys = analyse(title), analyse(occupation), analyse(body)
    JobOffer.objects.filter(pk=offer.pk).update(
        title_keys=offer.title_keys, occupation_keys=offer.occupation_keys, body_keys=offer.body_keys
    )
    store_fts([(offer.pk, offer.title_keys, offer.occupation_keys, offer.body_keys)])


def store_fts(rows: Iterable[tuple[int, str, str, str]]) -> None:
    """SQLite only: (re)write the FTS5 rows (PostgreSQL derives its vector itself)."""
    if connection.vendor != "sqlite":
        return
    rows = list(rows)
    with connection.cursor() as cursor:
        cursor.executemany("DELETE FROM jobs_offer_fts WHERE rowid = %s", [(r[0],) for r in rows])
        cursor.executemany("INSERT INTO jobs_offer_fts (rowid, title, occupation, body) VALUES (%s, %s, %s, %s)", rows)


# --- Querying ----------------------------------------------------------------------------------


def query_groups(text: str) -> list[set[str]]:
    """One set of alternative keys per meaningful query word (stop words dropped)."""
    analyser = get_analyser()
    query_words = words(" ".join(text.split())[:MAX_QUERY])[:MAX_QUERY_WORDS]
    folded = {fold(w) for w in query_words}
    lookup: dict[str, set[str]] = {}
    for form, lemma in SearchForm.objects.filter(form__in=folded).values_list("form", "lemma"):
        lookup.setdefault(form, set()).add(lemma)
    groups: list[set[str]] = []
    for word in query_words:
        keys = {k for k in analyser.query_keys(word, lookup) if k.isalnum()}
        if keys:
            groups.append(keys)
    return groups


def fts5_expression(groups: list[set[str]]) -> str:
    return " AND ".join("(" + " OR ".join(f'"{k}"' for k in sorted(g)) + ")" for g in groups)


def tsquery_expression(groups: list[set[str]]) -> str:
    return " & ".join("(" + " | ".join(f"'{k}'" for k in sorted(g)) + ")" for g in groups)


@dataclass
class Filters:
    query: str = ""
    area: str = ""  # TERYT prefix: 2, 4 or 7 digits
    near: str = ""  # a locality name (or TERYT code) whose offers have coordinates
    km: int | None = None
    occupation: str = ""  # KZiS prefix, 1-6 digits
    contract: list[str] = field(default_factory=list)
    working_time: str = ""  # "full" | "part"
    pay_min: Decimal | None = None  # per month
    verified_only: bool = False


def locality_centre(name_or_code: str) -> tuple[float, float] | None:
    """The mean coordinates of published offers in the locality (name or 7-digit TERYT),
    remembered for ten minutes (a locality does not move; its offers change slowly)."""
    if not name_or_code:
        return None
    key = (" ".join(name_or_code.split())[:120].casefold(), int(time.time() // 600))
    if key in _CENTRES:
        return _CENTRES[key]
    found = _centre(key[0])
    if found is not None:  # an unknown place is asked again: its first offer may come any time
        if len(_CENTRES) > 2048:
            _CENTRES.clear()
        _CENTRES[key] = found
    return found


_CENTRES: dict[tuple[str, int], tuple[float, float]] = {}


def _centre(name_or_code: str) -> tuple[float, float] | None:
    offers = JobOffer.objects.exclude(latitude=None).exclude(longitude=None)
    key = name_or_code.strip()
    offers = offers.filter(place_teryt=key) if key.isdigit() else offers.filter(place_locality__iexact=key)
    rows = [
        (float(a), float(b))
        for a, b in offers.values_list("latitude", "longitude")[:200]
        if a is not None and b is not None
    ]
    if not rows:
        return None
    return sum(r[0] for r in rows) / len(rows), sum(r[1] for r in rows) / len(rows)


# An hour's pay compared with a monthly minimum: a full-time month has about 168 hours.
HOURS_PER_MONTH = 168


def filtered(filters: Filters, base: Q | None = None) -> tuple[QuerySet[JobOffer], bool]:
    """The published offers matching ``filters`` (a queryset), and whether the place for the
    distance filter was found (False: distance asked for an unknown locality)."""
    # The employer is fetched for the shown page only (prefetch): a join would be made for every
    # match before the ranking's LIMIT.
    offers: QuerySet[JobOffer] = JobOffer.objects.published().prefetch_related("employer")
    if base is not None:
        offers = offers.filter(base)
    if filters.area:
        offers = offers.filter(place_teryt__startswith=filters.area)
    if filters.occupation:
        offers = offers.filter(occupation_code__startswith=filters.occupation)
    if filters.contract:
        offers = offers.filter(contract_type__in=filters.contract)
    if filters.working_time == "full":
        offers = offers.filter(working_time__gte=Decimal("1.00"))
    elif filters.working_time == "part":
        offers = offers.filter(working_time__lt=Decimal("1.00"))
    if filters.pay_min is not None:
        hourly = (filters.pay_min / HOURS_PER_MONTH).quantize(Decimal("0.01"))
        top = Q(pay_max__isnull=False) & (
            Q(pay_period=PayPeriod.MONTH, pay_max__gte=filters.pay_min)
            | Q(pay_period=PayPeriod.HOUR, pay_max__gte=hourly)
        )
        only_min = Q(pay_max__isnull=True) & (
            Q(pay_period=PayPeriod.MONTH, pay_min__gte=filters.pay_min)
            | Q(pay_period=PayPeriod.HOUR, pay_min__gte=hourly)
        )
        offers = offers.filter(top | only_min)
    if filters.verified_only:
        offers = offers.filter(verified=True)
    found_place = True
    if filters.near and filters.km:
        centre = locality_centre(filters.near)
        if centre is None:
            found_place = False
        else:
            lat, lon = centre
            dlat = filters.km / KM_PER_DEGREE
            dlon = filters.km / (KM_PER_DEGREE * max(0.1, math.cos(math.radians(lat))))
            scale = math.cos(math.radians(lat)) ** 2
            offers = offers.filter(
                latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon)
            ).extra(
                where=[
                    "((jobs_joboffer.latitude - %s) * (jobs_joboffer.latitude - %s) + "
                    "(jobs_joboffer.longitude - %s) * (jobs_joboffer.longitude - %s) * %s) <= %s"
                ],
                params=[lat, lat, lon, lon, scale, (filters.km / KM_PER_DEGREE) ** 2],
            )
    groups = query_groups(filters.query) if filters.query else []
    if filters.query and not groups:
        return offers.none(), found_place
    if groups:
        if connection.vendor == "postgresql":
            expression = tsquery_expression(groups)
            offers = offers.extra(
                # ranked on the small position + occupation vector (migration 0002): the
                # description vectors of thousands of matches are never read
                select={"rank": "ts_rank(jobs_joboffer.search_head, to_tsquery('simple', %s))"},
                select_params=[expression],
                where=["jobs_joboffer.search_vector @@ to_tsquery('simple', %s)"],
                params=[expression],
            ).order_by("-rank", "-published_at", "-pk")
        else:
            offers = offers.extra(
                select={"rank": "bm25(jobs_offer_fts, 10.0, 4.0, 1.0)"},
                tables=["jobs_offer_fts"],
                where=["jobs_offer_fts.rowid = jobs_joboffer.id", "jobs_offer_fts MATCH %s"],
                params=[fts5_expression(groups)],
            ).order_by("rank", "-published_at", "-pk")
    else:
        offers = offers.order_by("-published_at", "-pk")
    return offers, found_place


COUNT_CAP = 1000


def capped_count(offers: QuerySet[JobOffer], cap: int = COUNT_CAP) -> int:
    """How many offers match, counted up to ``cap`` (a page shows "1000 or more"; nobody pages
    past it, and counting 10,000 matches costs more than the page itself)."""
    return offers.order_by().values("pk")[: cap + 1].count()

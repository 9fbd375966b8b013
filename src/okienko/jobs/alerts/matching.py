"""Which saved searches a new offer matches (issue 19, item 6).

The matcher never compares every saved search with every offer. Saved searches are looked up by
the pair (occupation prefix, area prefix) they were saved with; an offer with KZiS ``833201`` in
TERYT ``2061011`` can only match searches whose occupation is one of ``""``, ``8``, ``83``, …,
``833201`` and whose area is one of ``""``, ``20``, ``2061``, ``2061011`` — 7 × 4 keys. The
worker process keeps every active search compiled under its key (``Index``: built once, new
searches added by id as they come, rebuilt every ten minutes); the searches under those keys are
checked against the rest of the filters in Python: contract, working time, pay, verified only, distance and the words of
the query (the offer's analysed search keys against the query's key groups, as the portal's
search does it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from okienko.core import memo
from okienko.jobs import search
from okienko.jobs.alerts.models import SavedSearch
from okienko.jobs.models import JobOffer
from okienko.jobs.states import PayPeriod

CHUNK = 500
# The analysed words of a query and a locality's centre, shared by the matchers of one process
# (``core.memo``): the worker matches each published offer on its own, and analysing the same
# query words again for every offer cost more than the matching. A new synonym or locality reaches
# alerts within ten minutes.
_queries: memo.Memo[list[set[str]]] = memo.Memo(600.0, max_entries=20_000)
_centres: memo.Memo[tuple[float, float] | None] = memo.Memo(600.0, max_entries=5_000)

FILTER_KEYS = ("q", "area", "near", "km", "occupation", "contract", "working_time", "pay_min", "verified")


def prefixes(code: str, lengths: Sequence[int]) -> list[str]:
    return [""] + [code[:n] for n in lengths if len(code) >= n]


def occupation_prefixes(code: str) -> list[str]:
    return prefixes(code, (1, 2, 3, 4, 5, 6))


def area_prefixes(teryt: str) -> list[str]:
    return prefixes(teryt, (2, 4, 7))


@dataclass
class Compiled:
    """A saved search's filters, prepared once for many offers."""

    pk: int
    contract: frozenset[str]
    working_time: str
    pay_min: Decimal | None
    verified: bool
    groups: list[set[str]]
    centre: tuple[float, float] | None
    km: int | None
    impossible: bool = False


class Matcher:
    """Compiles saved searches lazily, once per id; what many share (a query's key groups, a
    locality's centre) comes from the process-wide memos above."""

    def __init__(self) -> None:
        self._compiled: dict[int, Compiled] = {}

    def compile(self, pk: int, filters: dict[str, Any]) -> Compiled:
        found = self._compiled.get(pk)
        if found is not None:
            return found
        query = str(filters.get("q") or "").strip()
        groups: list[set[str]] = []
        impossible = False
        if query:
            groups = _queries.get(query, lambda: search.query_groups(query))
            impossible = not groups
        near, km = str(filters.get("near") or ""), filters.get("km")
        centre = None
        if near and km:
            centre = _centres.get(near, lambda: search.locality_centre(near))
            impossible = impossible or centre is None
        try:
            pay_min = Decimal(str(filters["pay_min"])) if filters.get("pay_min") not in (None, "") else None
        except (InvalidOperation, ValueError):
            pay_min = None
        compiled = Compiled(
            pk=pk,
            contract=frozenset(filters.get("contract") or ()),
            working_time=str(filters.get("working_time") or ""),
            pay_min=pay_min,
            verified=bool(filters.get("verified")),
            groups=groups,
            centre=centre,
            km=int(km) if km else None,
            impossible=impossible,
        )
        self._compiled[pk] = compiled
        return compiled


def offer_keys(offer: JobOffer) -> frozenset[str]:
    return frozenset(f"{offer.title_keys} {offer.occupation_keys} {offer.body_keys}".split())


def matches(c: Compiled, offer: JobOffer, keys: frozenset[str]) -> bool:
    if c.impossible:
        return False
    if c.contract and offer.contract_type not in c.contract:
        return False
    if c.working_time == "full" and offer.working_time < Decimal("1.00"):
        return False
    if c.working_time == "part" and offer.working_time >= Decimal("1.00"):
        return False
    if c.verified and not offer.verified:
        return False
    if c.pay_min is not None:
        top = offer.pay_max if offer.pay_max is not None else offer.pay_min
        if top is None:
            return False
        wanted = c.pay_min / search.HOURS_PER_MONTH if offer.pay_period == PayPeriod.HOUR else c.pay_min
        if top < wanted:
            return False
    if c.centre is not None and c.km:
        if offer.latitude is None or offer.longitude is None:
            return False
        lat, lon = c.centre
        dlat = offer.latitude - lat
        dlon = (offer.longitude - lon) * math.cos(math.radians(lat))
        if math.hypot(dlat, dlon) * search.KM_PER_DEGREE > c.km:
            return False
    return all(group & keys for group in c.groups)


def match(offers: Iterable[JobOffer], *, matcher: Matcher | None = None) -> dict[int, list[int]]:
    """offer pk → the pks of the active saved searches it matches."""
    matcher = matcher or Matcher()
    found: dict[int, list[int]] = {}
    batch: list[JobOffer] = []
    for offer in offers:
        batch.append(offer)
        if len(batch) >= CHUNK:
            found.update(_match_chunk(batch, matcher))
            batch = []
    if batch:
        found.update(_match_chunk(batch, matcher))
    return found


@dataclass
class Index:
    """Every active saved search of the process, compiled, under its (occupation, area) key."""

    by_key: dict[tuple[str, str], list[Compiled]]
    known: set[int]
    last_pk: int = 0


# The worker keeps the index for ten minutes and adds new saved searches as they come (by id,
# looking back a little for transactions that committed out of order); searches switched off or
# deleted since are dropped from the hits by one query on the hits alone.
INDEX_LOOKBACK = 200
_index: memo.Memo[Index] = memo.Memo(600.0, max_entries=1)


def _current_index(matcher: Matcher) -> Index:
    index = _index.peek("all")
    if index is None:
        index = Index(by_key=defaultdict(list), known=set())
        _index.put("all", index)
    recent = SavedSearch.objects.filter(active=True, pk__gt=max(0, index.last_pk - INDEX_LOOKBACK))
    fresh = [pk for pk in recent.values_list("pk", flat=True) if pk not in index.known]
    for start in range(0, len(fresh), 5000):
        part = SavedSearch.objects.filter(pk__in=fresh[start : start + 5000], active=True)
        for pk, occupation, area, filters in part.values_list("pk", "occupation", "area", "filters"):
            index.by_key[(occupation, area)].append(matcher.compile(pk, filters))
            index.known.add(pk)
            index.last_pk = max(index.last_pk, pk)
    return index


def _match_chunk(offers: list[JobOffer], matcher: Matcher) -> dict[int, list[int]]:
    index = _current_index(matcher)
    found: dict[int, list[int]] = {}
    for offer in offers:
        keys = offer_keys(offer)
        hits: list[int] = []
        for occupation in occupation_prefixes(offer.occupation_code):
            for area in area_prefixes(offer.place_teryt):
                for compiled in index.by_key.get((occupation, area), ()):
                    if matches(compiled, offer, keys):
                        hits.append(compiled.pk)
        if hits:
            found[offer.pk] = hits
    every = {pk for hits in found.values() for pk in hits}
    active: set[int] = set()
    ids = sorted(every)
    for start in range(0, len(ids), 5000):
        active.update(
            SavedSearch.objects.filter(pk__in=ids[start : start + 5000], active=True).values_list("pk", flat=True)
        )
    return {
        offer: [pk for pk in hits if pk in active] for offer, hits in found.items() if any(pk in active for pk in hits)
    }

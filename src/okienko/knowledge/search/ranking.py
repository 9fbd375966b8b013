"""One ranking for both backends.

The database finds the matching articles and orders them by its own function (FTS5 ``bm25``,
PostgreSQL ``ts_rank``); the best ``CANDIDATES`` of them are then scored again here with the same
weighted BM25 that FTS5 uses (per field, then weighted: title 10, question 4, body 1), computed
from the stored keys and the document frequencies in ``SearchTerm``. So SQLite and PostgreSQL
return the same order whenever the right articles are among the candidates (ADR 0021).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count

from okienko.knowledge.models import SearchDocument
from okienko.knowledge.search import local_cache
from okienko.knowledge.search.backends import FIELD_WEIGHTS, Hit
from okienko.knowledge.search.query import Key, Term

CANDIDATES = 50
K1 = 1.2
B = 0.75
COVERAGE_POWER = 2  # score × (covered share of the query) ** COVERAGE_POWER (ADR 0045)
STATS_CACHE_KEY = "knowledge:index-stats:v1"


@dataclass(frozen=True)
class IndexStats:
    documents: int
    average_lengths: tuple[float, float, float]


def index_stats() -> IndexStats:
    return local_cache.get_or_compute(STATS_CACHE_KEY, _compute_stats)


def _compute_stats() -> IndexStats:
    row = SearchDocument.objects.aggregate(
        n=Count("pk"), t=Avg("title_length"), k=Avg("keywords_length"), b=Avg("body_length")
    )
    return IndexStats(int(row["n"] or 0), (float(row["t"] or 1.0), float(row["k"] or 1.0), float(row["b"] or 1.0)))


def forget_stats() -> None:
    local_cache.forget(STATS_CACHE_KEY)


def idf(documents: int, containing: int) -> float:
    """FTS5's idf: log((N - n + 0.5) / (n + 0.5)), floored at a small positive value.

    ``documents`` comes from cached index statistics, ``containing`` from live frequencies: after
    articles are added it can exceed the cached count, which must not make the logarithm fail."""
    containing = min(max(containing, 0), documents)
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def _count(padded: str, key: Key) -> int:
    if key.prefix:
        return len(re.findall(rf" {re.escape(key.text)}\w*(?= )", padded))
    return padded.count(f" {key.text} ")


def _weights(terms: Sequence[Term], frequencies: Mapping[str, int], n: int) -> dict[Key, float]:
    weights: dict[Key, float] = {}
    for term in terms:
        for k in term.keys:
            weight = term.weight * idf(n, frequencies.get(k.text, n // 10 if k.prefix else 1))
            weights[k] = max(weights.get(k, 0.0), weight)
    return weights


def _concepts(terms: Sequence[Term], weights: Mapping[Key, float]) -> dict[int, float]:
    """The user's words that carry meaning (their positions), each weighted by its best key."""
    concepts: dict[int, float] = {}
    for term in terms:
        best = max((weights[k] for k in term.keys), default=0.0)
        for position in term.source:
            concepts[position] = max(concepts.get(position, 0.0), best)
    return concepts


def rerank(hits: Sequence[Hit], terms: Sequence[Term], frequencies: Mapping[str, int]) -> list[Hit]:
    """Score ``hits`` with the weighted BM25 of all the query's keys, scaled by how much of the
    query (its words, weighted by rarity; a synonym counts for the words it replaced) the article
    covers: ``score × share ** COVERAGE_POWER`` (ADR 0045)."""
    if not hits:
        return []
    stats = index_stats()
    n = max(stats.documents, 1)
    terms = [t for t in terms if t.keys]
    weights = _weights(terms, frequencies, n)
    concepts = _concepts(terms, weights)
    total = sum(concepts.values()) or 1.0
    rows: Iterable[tuple[int, str, str, str, int, int, int]]
    if all(h.fields is not None for h in hits):
        rows = [(h.article_id, *h.fields) for h in hits if h.fields is not None]
    else:
        rows = SearchDocument.objects.filter(article_id__in=[h.article_id for h in hits]).values_list(
            "article_id",
            "title_keys",
            "keywords_keys",
            "body_keys",
            "title_length",
            "keywords_length",
            "body_length",
        )
    scored: list[Hit] = []
    for article_id, title, keywords, body, *lengths in rows:
        score = 0.0
        found: set[Key] = set()
        for text, length, average, weight in zip(
            (title, keywords, body), lengths, stats.average_lengths, FIELD_WEIGHTS, strict=True
        ):
            padded = f" {text} "
            norm = K1 * (1 - B + B * length / average)
            for key, key_idf in weights.items():
                tf = _count(padded, key)
                if tf:
                    found.add(key)
                    score += weight * key_idf * tf * (K1 + 1) / (tf + norm)
        covered: set[int] = set()
        for term in terms:
            if term.keys & found:
                covered |= term.source
        share = sum(concepts[p] for p in covered) / total
        scored.append(Hit(article_id, round(score * share**COVERAGE_POWER, 9)))
    scored.sort(key=lambda h: (-h.score, h.article_id))
    return scored

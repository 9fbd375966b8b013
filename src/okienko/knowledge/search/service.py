"""The search entry point shared by the desk, the public site and the API."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from okienko.core.actors import Actor
from okienko.knowledge.models import Article, SearchForm, SearchTerm, Synonym
from okienko.knowledge.search import local_cache
from okienko.knowledge.search.analysis import Analyser, fold, get_analyser, words
from okienko.knowledge.search.backends import Hit, current_backend
from okienko.knowledge.search.query import Key, ParsedQuery, Term, Vocabulary, parse
from okienko.knowledge.search.ranking import CANDIDATES, rerank
from okienko.knowledge.search.snippets import Highlighter

SYNONYMS_CACHE_KEY = "knowledge:synonyms:v1"
# How many matching articles (estimated from document frequencies) a query may score in full.
MATCH_BUDGET = 2000
# Up to this many matching articles (estimated), PostgreSQL pre-ranks them by all their fields,
# not only title and question (ADR 0045).
RANK_WHOLE_BUDGET = 300


class DatabaseVocabulary(Vocabulary):
    def forms(self, folded_words: set[str]) -> Mapping[str, set[str]]:
        found: dict[str, set[str]] = {}
        for form, key in _rows(SearchForm._meta.db_table, "form", "key", folded_words):
            found.setdefault(form, set()).add(key)
        return found

    def frequencies(self, keys: set[str]) -> Mapping[str, int]:
        return {key: int(n) for key, n in _rows(SearchTerm._meta.db_table, "key", "documents", keys) if n > 0}

    def candidates(self, key: str) -> Mapping[str, int]:
        limit = 1 if len(key) <= 5 else 2
        return dict(
            SearchTerm.objects.filter(
                key__startswith=key[0],
                length__gte=len(key) - limit,
                length__lte=len(key) + limit,
                documents__gt=0,
            ).values_list("key", "documents")
        )

    def synonyms(self) -> list[tuple[list[str], str]]:
        return local_cache.get_or_compute(SYNONYMS_CACHE_KEY, _load_synonyms)


def _load_synonyms() -> list[tuple[list[str], str]]:
    return [(words(phrase), expansion) for phrase, expansion in Synonym.objects.values_list("phrase", "expansion")]


def _rows(table: str, column: str, value: str, wanted: set[str]) -> list[tuple[Any, Any]]:
    """``(column, value)`` of the rows whose ``column`` is in ``wanted``: plain SQL, because these
    two look-ups run on every query and compiling the ORM query cost as much as running it."""
    if not wanted:
        return []
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}, {value} FROM {table} WHERE {column} IN ({marks})", sorted(wanted))  # noqa: S608 - model metadata only
        return list(cursor.fetchall())


def forget_synonyms() -> None:
    local_cache.forget(SYNONYMS_CACHE_KEY)


@dataclass
class Result:
    article: Article
    score: float
    title_html: SafeString
    snippet: SafeString


@dataclass
class SearchResults:
    query: str
    results: list[Result]
    did_you_mean: str
    has_more: bool

    def __len__(self) -> int:
        return len(self.results)


def parse_query(
    text: str, *, analyser: Analyser | None = None, prefix_last: bool = False, expand: bool = True
) -> ParsedQuery:
    """``expand=False`` turns off synonyms and typo correction (the evaluation baseline)."""
    parsed = parse(
        text, analyser=analyser or get_analyser(), vocabulary=DatabaseVocabulary(), correct=expand, synonyms=expand
    )
    if prefix_last and parsed.user_terms:
        last = parsed.terms[parsed.user_terms - 1]
        folded = fold(last.word)
        if len(folded) >= 3:
            last.keys.add(Key(folded, prefix=True))
    return parsed


@functools.lru_cache(maxsize=4096)
def _forms_of(keys: tuple[str, ...]) -> frozenset[str]:
    """Inflected forms to highlight; cached per process (a stale entry only misses a highlight)."""
    return frozenset(SearchForm.objects.filter(key__in=keys).values_list("form", flat=True))


def highlighter_for(parsed: ParsedQuery) -> Highlighter:
    """Marks the query's words; question-framing words ("jak", "nie", "dostać") are not marked."""
    terms = [t for t in parsed.terms if t.weight >= 1]
    keys = {k.text for t in terms for k in t.keys if not k.prefix}
    forms = set(keys) | {fold(t.word) for t in terms if t.keys}
    if keys:
        forms.update(_forms_of(tuple(sorted(keys))))
    return Highlighter(forms, {k.text for t in terms for k in t.keys if k.prefix})


def search(
    text: str,
    *,
    user: Actor = None,
    scope: Any = None,
    kind: str = "",
    audience: str = "",
    topic: str = "",
    organisation: str = "",
    service: int | None = None,
    limit: int = 10,
    prefix_last: bool = False,
    analyser: Analyser | None = None,
    expand: bool = True,
) -> SearchResults:
    """Rank the articles ``user`` may read (or the queryset ``scope``) for ``text``.

    Filters: ``kind``, ``audience``, ``topic`` (slug), ``organisation`` (code; the office's own
    articles and those of offices above it), ``service`` (catalogue service id).
    """
    parsed = parse_query(text, analyser=analyser, prefix_last=prefix_last, expand=expand)
    if parsed.empty:
        return SearchResults(parsed.text, [], "", False)
    qs = scope if scope is not None else Article.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if audience:
        qs = qs.filter(audience=audience)
    if topic:
        qs = qs.filter(topic__slug=topic)
    if organisation:
        qs = qs.filter(organisation__code=organisation)
    if service:
        qs = qs.filter(services__id=service)
    # The backends name their matches ``m(id, score)``; restricting the scope to them lets the
    # database look up only the matched articles instead of listing every visible one.
    qs = qs.order_by().filter(pk__in=RawSQL("SELECT id FROM m", []))
    try:
        scope_sql, scope_params = qs.values("id", "translation_of_id").query.sql_with_params()
    except EmptyResultSet:
        return SearchResults(parsed.text, [], parsed.corrected_text, False)
    candidates = _candidates(parsed, scope_sql, scope_params, max(CANDIDATES, limit + 1))
    hits = distinct(rerank(candidates, parsed.terms, parsed.frequencies), candidates)
    has_more = len(hits) > limit
    hits = hits[:limit]
    articles = Article.objects.in_bulk([h.article_id for h in hits])
    highlighter = highlighter_for(parsed)
    results = [
        Result(
            article=articles[h.article_id],
            score=h.score,
            title_html=mark_safe(highlighter.mark(articles[h.article_id].title)),
            snippet=mark_safe(highlighter.snippet(_snippet_source(articles[h.article_id]))),
        )
        for h in hits
        if h.article_id in articles
    ]
    return SearchResults(parsed.text, results, parsed.corrected_text, has_more)


def distinct(hits: list[Hit], candidates: list[Hit]) -> list[Hit]:
    """Each article once: the best-ranked of its translations (an article and its English
    version are one answer, ADR 0045), and never the same id twice."""
    groups = {c.article_id: c.group or c.article_id for c in candidates}
    seen: set[int] = set()
    unique: list[Hit] = []
    for hit in hits:
        group = groups.get(hit.article_id, hit.article_id)
        if group not in seen:
            seen.add(group)
            unique.append(hit)
    return unique


def _narrowed(parsed: ParsedQuery, keep: set[Key]) -> ParsedQuery:
    terms = [Term(t.word, t.keys & keep, t.required) for t in parsed.terms]
    return ParsedQuery(parsed.text, terms, parsed.corrected_text, parsed.user_terms, parsed.frequencies)


def _candidates(parsed: ParsedQuery, scope_sql: str, scope_params: Any, limit: int) -> list[Hit]:
    """Ask the backend for candidates, bounding the work for very common words: the rarest keys
    are matched (together at most ``MATCH_BUDGET`` articles by document frequency); when even the
    rarest key is in more articles than that, it is matched in titles and questions only. The
    re-rank still weighs every key of the query (ADR 0021)."""
    backend = current_backend()
    keys = parsed.all_keys()
    if parsed.required:
        return backend.search(parsed, scope_sql, scope_params, limit)

    def frequency(key: Key) -> int:
        return MATCH_BUDGET if key.prefix else parsed.frequencies.get(key.text, 0)

    chosen: set[Key] = set()
    total = 0
    for key in sorted(keys, key=lambda k: (frequency(k), k.text, k.prefix)):
        if chosen and total + frequency(key) > MATCH_BUDGET:
            break
        chosen.add(key)
        total += frequency(key)
    narrowed = parsed if chosen == keys else _narrowed(parsed, chosen)
    return backend.search(
        narrowed, scope_sql, scope_params, limit, head=total > MATCH_BUDGET, whole=total <= RANK_WHOLE_BUDGET
    )


def _snippet_source(article: Article) -> str:
    parts = [article.question, article.summary, article.body_text]
    return "\n".join(p for p in parts if p)

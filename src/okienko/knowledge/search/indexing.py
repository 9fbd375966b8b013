"""Keep the search index in step with the articles (called inside the article's transaction)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F

from okienko.knowledge.models import Article, SearchDocument, SearchForm, SearchTerm
from okienko.knowledge.search.analysis import Analyser, get_analyser
from okienko.knowledge.search.backends import current_backend
from okienko.knowledge.search.ranking import forget_stats

MAX_KEY = 40


def _known_lemmas(keys: set[str]) -> set[str]:
    """Lemma keys whose inflected forms are already stored (marked by a form == key row)."""
    if not keys:
        return set()
    found: set[str] = set()
    chunk = sorted(keys)
    for i in range(0, len(chunk), 500):
        part = chunk[i : i + 500]
        found.update(SearchForm.objects.filter(form__in=part, key__in=part).values_list("key", flat=True))
    return found


def field_texts(article: Article) -> tuple[str, str, str]:
    """(title, question/summary/tags, body) — the three weighted fields."""
    keywords = " ".join([article.question, article.summary, " ".join(article.tags)])
    body = " ".join([article.body_text, article.required_documents, article.fees, article.deadlines, article.where_how])
    return article.title, keywords, body


def index_article(article: Article, *, analyser: Analyser | None = None) -> None:
    """Analyse ``article`` and store its keys in the search document and the backend index."""
    analyser = analyser or get_analyser()
    cache: dict[str, str] = {}
    known: Callable[[set[str]], set[str]] = lambda keys: _known_lemmas(keys) | {k for k in keys if k in cache}  # noqa: E731
    analysed = []
    for text in field_texts(article):
        result = analyser.analyse_document(text, known_lemmas=known)
        cache.update(result.forms)
        analysed.append(" ".join(k for k in result.keys if len(k) <= MAX_KEY))
    title, keywords, body = analysed
    old = SearchDocument.objects.filter(article=article).first()
    old_terms = _terms(old.title_keys, old.keywords_keys, old.body_keys) if old else set()
    SearchDocument.objects.update_or_create(
        article=article,
        defaults={
            "title_keys": title,
            "keywords_keys": keywords,
            "body_keys": body,
            "title_length": len(title.split()),
            "keywords_length": len(keywords.split()),
            "body_length": len(body.split()),
        },
    )
    current_backend().store(article.pk, title, keywords, body)
    terms = _terms(*analysed)
    SearchTerm.objects.bulk_create(
        [SearchTerm(key=k, length=len(k)) for k in sorted(terms - old_terms)], ignore_conflicts=True, batch_size=500
    )
    _count(terms - old_terms, +1)
    _count(old_terms - terms, -1)
    if cache:
        SearchForm.objects.bulk_create(
            [SearchForm(form=f, key=k) for f, k in sorted(cache.items()) if len(f) <= MAX_KEY and len(k) <= MAX_KEY],
            ignore_conflicts=True,
            batch_size=500,
        )


def _terms(*texts: str) -> set[str]:
    return {k for text in texts for k in text.split()}


def _count(keys: set[str], delta: int) -> None:
    ordered = sorted(keys)
    for i in range(0, len(ordered), 500):
        SearchTerm.objects.filter(key__in=ordered[i : i + 500]).update(documents=F("documents") + delta)


def remove_article(article_id: int) -> None:
    old = SearchDocument.objects.filter(article_id=article_id).first()
    if old is not None:
        _count(_terms(old.title_keys, old.keywords_keys, old.body_keys), -1)
    SearchDocument.objects.filter(article_id=article_id).delete()
    current_backend().delete(article_id)


def rebuild(*, analyser: Analyser | None = None, batch: int = 500) -> int:
    """Re-index every article; returns how many."""
    backend = current_backend()
    backend.clear()
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    SearchForm.objects.all().delete()
    count = 0
    last = 0
    while True:
        articles = list(Article.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not articles:
            forget_stats()
            return count
        for article in articles:
            index_article(article, analyser=analyser)
        count += len(articles)
        last = articles[-1].pk

"""The residents' help pages at /pomoc/: topics, search, articles and "was this helpful?"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.knowledge import actions
from okienko.knowledge.forms import FeedbackForm
from okienko.knowledge.models import Article, ArticleQuerySet, SearchLog, Topic
from okienko.knowledge.search import search
from okienko.knowledge.views.common import is_htmx


def _public() -> ArticleQuerySet:
    return Article.objects.public()


def home_view(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.filter(articles__in=_public()).distinct()
    return render(request, "knowledge/public/home.html", {"topics": topics})


def topic_view(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    language = (get_language() or "pl")[:2]
    articles = _public().filter(topic=topic, language=language if language in Article.Language.values else "pl")
    if not articles.exists():
        articles = _public().filter(topic=topic, language=Article.Language.PL)
    return render(request, "knowledge/public/topic.html", {"topic": topic, "articles": articles.order_by("title")})


def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:500]
    results = None
    if query.strip():
        results = search(query, scope=_public(), limit=20)
        actions.record_search(query=query, results=len(results), source=SearchLog.Source.PORTAL)
    template = "knowledge/public/_results.html" if is_htmx(request) else "knowledge/public/search.html"
    return render(request, template, {"query": query, "results": results})


def article_view(request: HttpRequest, slug: str) -> HttpResponse:
    language = (get_language() or "pl")[:2]
    article = _public().filter(slug=slug, language=language).first() or get_object_or_404(
        _public(), slug=slug, language=Article.Language.PL
    )
    return render(
        request,
        "knowledge/public/article.html",
        {
            "article": article,
            "form": FeedbackForm(),
            "related": _public().filter(topic=article.topic, language=article.language).exclude(pk=article.pk)[:5]
            if article.topic_id
            else [],
        },
    )


@require_POST
def feedback_view(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(_public(), slug=slug, language=request.POST.get("language", "pl")[:2])
    form = FeedbackForm(request.POST)
    if form.is_valid():
        actions.record_feedback(article=article, **form.cleaned_data)
        if is_htmx(request):
            return render(request, "knowledge/public/_thanks.html")
        messages.success(request, _("Thank you for your opinion."))
    else:
        messages.error(request, _("Choose yes or no."))
    return redirect("knowledge_public:article", slug=article.slug)

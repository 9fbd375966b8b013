"""The consultants' side: search, the suggestion box for the contact screen, recording which
article answered a contact, and proposals for the editors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.accounts.roles import Perm
from okienko.core.ids import parse_uuid
from okienko.knowledge import actions
from okienko.knowledge.errors import KnowledgeError
from okienko.knowledge.forms import ProposalForm, SearchForm
from okienko.knowledge.models import Article, ArticleUse, SearchLog
from okienko.knowledge.search import search
from okienko.knowledge.views.common import is_htmx, require_reader, working_organisation

SUGGESTIONS = 5


def _interaction(request: HttpRequest, value: str | None) -> Any:
    """The contact (``interactions.Interaction``) named by uuid, if the user may see it."""
    from okienko.interactions.models import Interaction

    key = parse_uuid(value)
    return Interaction.objects.visible_to(request.user).filter(uuid=key).first() if key else None


def _client(request: HttpRequest, value: str | None) -> Any:
    """The client named by uuid, if the user may see them (the desk card's caller)."""
    from okienko.clients.models import Client

    key = parse_uuid(value)
    return Client.objects.visible_to(request.user).filter(uuid=key).first() if key else None


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    form = SearchForm(request.GET or None)
    results = None
    query = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"]
        topic = form.cleaned_data["topic"]
        results = search(
            query, user=request.user, kind=form.cleaned_data["kind"], topic=topic.slug if topic else "", limit=20
        )
        actions.record_search(query=query, results=len(results), source=SearchLog.Source.DESK)
    context = {
        "form": form,
        "results": results,
        "query": query,
        "pinned": Article.objects.visible_to(request.user).filter(important=True)[:5] if results is None else [],
    }
    if is_htmx(request):
        return render(request, "knowledge/_results.html", context)
    return render(request, "knowledge/search.html", context)


@login_required
def suggest_view(request: HttpRequest) -> HttpResponse:
    """HTMX partial for the contact screen: articles for what the consultant types (``q``) or,
    with an empty box, for the contact's service (``service`` id)."""
    require_reader(request)
    query = request.GET.get("q", "")[:500]
    service = request.GET.get("service", "")
    service_id = int(service) if service.isdigit() else None
    interaction = _interaction(request, request.GET.get("interaction"))
    results: list[Any] = []
    if query.strip():
        found = search(query, user=request.user, limit=SUGGESTIONS, prefix_last=True)
        results = found.results
    elif service_id is not None:
        articles = Article.objects.visible_to(request.user).filter(services__id=service_id)[:SUGGESTIONS]
        results = [{"article": a, "snippet": a.summary or a.question, "title_html": a.title} for a in articles]
    return render(
        request,
        "knowledge/_suggest.html",
        {
            "results": results,
            "query": query,
            "interaction": interaction,
            "service": service_id,
            "client": _client(request, request.GET.get("client")) if interaction is None else None,
        },
    )


@login_required
def article_view(request: HttpRequest, uuid: str) -> HttpResponse:
    require_reader(request)
    article = get_object_or_404(Article.objects.visible_to(request.user).select_related("topic"), uuid=uuid)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "interaction": _interaction(request, request.GET.get("interaction")),
            "query": request.GET.get("q", "")[:200],
            "translations": Article.objects.visible_to(request.user).filter(translation_of=article),
        },
    )


@login_required
@require_POST
def use_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """One click: "answered with this article" (or "transferred")."""
    require_reader(request)
    article = get_object_or_404(Article.objects.visible_to(request.user), uuid=uuid)
    outcome = request.POST.get("outcome", ArticleUse.Outcome.ANSWERED)
    if outcome not in ArticleUse.Outcome.values:
        outcome = ArticleUse.Outcome.ANSWERED
    interaction = _interaction(request, request.POST.get("interaction"))
    organisation = interaction.organisation if interaction else working_organisation(request, Perm.INTERACTIONS_RECORD)
    if organisation is None:
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    client = _client(request, request.POST.get("client")) if interaction is None else None
    use = actions.answer_with_article(
        actor=request.user,
        article=article,
        organisation=organisation,
        outcome=outcome,
        interaction=interaction,
        client=client,
        query=request.POST.get("q", ""),
    )
    if is_htmx(request):
        return render(request, "knowledge/_used.html", {"use": use, "article": article})
    messages.success(request, _("Recorded: %(outcome)s.") % {"outcome": use.get_outcome_display()})
    return redirect("knowledge:article", uuid=article.uuid)


@login_required
def propose_view(request: HttpRequest) -> HttpResponse:
    """A consultant proposes a new FAQ entry or a correction (``?article=<uuid>``)."""
    require_reader(request)
    article = None
    if request.GET.get("article"):
        article = get_object_or_404(Article.objects.visible_to(request.user), uuid=parse_uuid(request.GET["article"]))
    interaction = _interaction(request, request.GET.get("interaction"))
    initial = {"question": request.GET.get("q", "")[:500]}
    form = ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        organisation = working_organisation(request, Perm.KNOWLEDGE_READ_INTERNAL)
        if organisation is None:
            raise PermissionDenied(Perm.KNOWLEDGE_READ_INTERNAL)
        try:
            actions.propose_article(
                actor=request.user,
                organisation=organisation,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                article=article,
                interaction=interaction,
                context=_("contact") if interaction else "",
            )
        except KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. The editors will look at your proposal."))
            return redirect("knowledge:search")
    return render(request, "knowledge/propose.html", {"form": form, "article": article, "interaction": interaction})

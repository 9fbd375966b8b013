"""The editors' screens: articles (edit with version check, workflow, versions with diff and
restore), the proposals queue, synonyms and analytics."""

from __future__ import annotations

import datetime as dt
import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.accounts.roles import Perm
from okienko.core import clock, panels
from okienko.core.panels import render_panels
from okienko.knowledge import access, actions, content, workflow
from okienko.knowledge.errors import KnowledgeError, StaleVersion
from okienko.knowledge.forms import ArticleForm, SynonymForm
from okienko.knowledge.models import Article, ArticleUse, ArticleVersion, Feedback, Proposal, SearchLog, Synonym
from okienko.knowledge.views.common import require_editor, working_organisation


def _editable(request: HttpRequest, uuid: str) -> Article:
    require_editor(request)
    return get_object_or_404(Article.objects.editable_by(request.user), uuid=uuid)


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    status = request.GET.get("status", "")
    articles = Article.objects.editable_by(request.user).select_related("organisation", "topic").order_by("-updated_at")
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    review_due = request.GET.get("review") == "due"
    if review_due:
        from okienko.knowledge.alerts import due_for_review

        articles = due_for_review(request.user).select_related("organisation", "topic").order_by("review_by", "title")
    return render(
        request,
        "knowledge/editor/list.html",
        {"articles": articles[:200], "status": status, "statuses": Article.Status.choices, "review_due": review_due},
    )


@login_required
def article_edit(request: HttpRequest, uuid: str | None = None) -> HttpResponse:
    require_editor(request)
    article = _editable(request, uuid) if uuid else None
    form = ArticleForm(request.POST or None, instance=article)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = form.article_fields()
        try:
            if article is None:
                organisation = working_organisation(request, Perm.KNOWLEDGE_EDIT)
                if organisation is None:
                    raise PermissionDenied(Perm.KNOWLEDGE_EDIT)
                title = fields.pop("title")
                saved = actions.create_article(
                    actor=request.user,
                    organisation=organisation,
                    title=title,
                    services=form.cleaned_data["services"],
                    **fields,
                )
            else:
                saved = actions.update_article(
                    actor=request.user,
                    article=article,
                    expected_version=form.cleaned_data["version"] or 0,
                    services=form.cleaned_data["services"],
                    **fields,
                )
        except StaleVersion as exc:
            conflict = exc
            form.add_error(None, str(exc))
        except KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved (version %(v)s).") % {"v": saved.version})
            return redirect("knowledge:editor_edit", uuid=saved.uuid)
    return render(
        request,
        "knowledge/editor/edit.html",
        {
            "form": form,
            "article": article,
            "conflict": conflict,
            "next_statuses": [(s, Article.Status(s).label) for s in workflow.next_statuses(article.status)]
            if article
            else [],
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def article_transition(request: HttpRequest, uuid: str) -> HttpResponse:
    article = _editable(request, uuid)
    version = request.POST.get("version", "")
    try:
        actions.transition_article(
            actor=request.user,
            article=article,
            to_status=request.POST.get("to", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except KnowledgeError as exc:
        messages.error(request, str(exc))
    except ValueError:
        messages.error(request, _("Unknown status."))
    else:
        messages.success(request, _("Status changed."))
    return redirect("knowledge:editor_edit", uuid=article.uuid)


def _text(data: dict[str, object]) -> list[str]:
    lines = [str(data.get("title", "")), str(data.get("question", "")), str(data.get("summary", ""))]
    for name in ("body", "required_documents", "fees", "deadlines", "where_how"):
        lines.extend(content.to_text(str(data.get(name) or "")).splitlines())
    return [line for line in lines if line]


@login_required
def article_versions(request: HttpRequest, uuid: str) -> HttpResponse:
    article = _editable(request, uuid)
    versions = list(article.versions.select_related("actor"))
    chosen = None
    diff: list[tuple[str, str]] = []
    number = request.GET.get("v", "")
    if number.isdigit():
        chosen = get_object_or_404(ArticleVersion, article=article, number=int(number))
        current = versions[0] if versions else None
        if current is not None:
            for line in difflib.unified_diff(_text(chosen.data), _text(current.data), lineterm="", n=2):
                if line.startswith(("---", "+++")):
                    continue
                kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
                diff.append((kind, line))
    return render(
        request,
        "knowledge/editor/versions.html",
        {"article": article, "versions": versions, "chosen": chosen, "diff": diff},
    )


@login_required
@require_POST
def article_restore(request: HttpRequest, uuid: str) -> HttpResponse:
    article = _editable(request, uuid)
    try:
        actions.restore_version(
            actor=request.user,
            article=article,
            number=int(request.POST.get("number", "0")),
            expected_version=int(request.POST.get("version", "0")),
        )
    except (KnowledgeError, ArticleVersion.DoesNotExist, ValueError) as exc:
        messages.error(request, str(exc) or _("This version cannot be restored."))
    else:
        messages.success(request, _("The earlier version was restored as a new version."))
    return redirect("knowledge:editor_edit", uuid=article.uuid)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    proposals = Proposal.objects.filter(
        Q(organisation__in=access.editable_scope(request.user))
        | Q(article__in=Article.objects.editable_by(request.user))
    ).select_related("article", "proposed_by", "organisation")
    return render(
        request,
        "knowledge/editor/proposals.html",
        {
            "open": proposals.filter(status=Proposal.Status.OPEN),
            "handled": proposals.exclude(status=Proposal.Status.OPEN)[:30],
        },
    )


@login_required
@require_POST
def proposal_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        resolved = actions.resolve_proposal(
            actor=request.user, proposal=proposal, accept=request.POST.get("accept") == "1"
        )
    except KnowledgeError as exc:
        messages.error(request, str(exc))
        return redirect("knowledge:proposals")
    if resolved.result is not None and resolved.kind == Proposal.Kind.NEW:
        messages.success(request, _("A draft article was created from the proposal."))
        return redirect("knowledge:editor_edit", uuid=resolved.result.uuid)
    messages.success(request, _("The proposal was handled."))
    return redirect("knowledge:proposals")


@login_required
def synonym_list(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = SynonymForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            key = request.POST["delete"]
            synonym = get_object_or_404(Synonym, pk=int(key) if key.isdigit() else None)
            actions.delete_synonym(actor=request.user, synonym=synonym)
            messages.success(request, _("Synonym removed."))
            return redirect("knowledge:synonyms")
        if form.is_valid():
            try:
                actions.add_synonym(actor=request.user, **form.cleaned_data)
            except KnowledgeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Synonym saved."))
                return redirect("knowledge:synonyms")
    return render(request, "knowledge/editor/synonyms.html", {"form": form, "synonyms": Synonym.objects.all()})


@login_required
def analytics_view(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    since = clock.now() - dt.timedelta(days=30)
    logs = SearchLog.objects.filter(at__gte=since)
    editable = Article.objects.editable_by(request.user)
    today = clock.local_now().date()
    return render(
        request,
        "knowledge/editor/analytics.html",
        {
            "top": logs.values("normalised").annotate(n=Count("id")).order_by("-n", "normalised")[:20],
            "empty": logs.filter(results=0)
            .values("normalised")
            .annotate(n=Count("id"))
            .order_by("-n", "normalised")[:20],
            "used": ArticleUse.objects.filter(at__gte=since, article__in=editable)
            .values("article__title", "article__uuid")
            .annotate(
                answered=Count("id", filter=Q(outcome=ArticleUse.Outcome.ANSWERED)),
                transferred=Count("id", filter=Q(outcome=ArticleUse.Outcome.TRANSFERRED)),
            )
            .order_by("-answered", "article__title")[:20],
            "stale": editable.filter(status=Article.Status.PUBLISHED, review_by__lt=today).order_by("review_by")[:50],
            "feedback": Feedback.objects.filter(at__gte=since, article__in=editable)
            .values("article__title", "article__uuid")
            .annotate(yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False)))
            .order_by("-no", "article__title")[:20],
            # other apps' figures about these articles (the portal's deflections) come as panels
            "panels": render_panels(request, panels.KNOWLEDGE_ANALYTICS, editable),
        },
    )

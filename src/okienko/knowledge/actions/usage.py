"""Writes around the articles: synonyms, consultants' proposals, uses in contacts, feedback and
the search log. Search-log and feedback rows are anonymous telemetry written on every public
request, so they are not put in the audit log (ADR 0024)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access as accounts_access
from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.knowledge.actions.articles import create_article
from okienko.knowledge.errors import InvalidArticle
from okienko.knowledge.models import Article, ArticleUse, Feedback, Proposal, SearchLog, Synonym
from okienko.knowledge.search.analysis import fold, words
from okienko.knowledge.search.service import forget_synonyms


def add_synonym(*, actor: Actor, phrase: str, expansion: str) -> Synonym:
    """Searching ``phrase`` will also search ``expansion`` (e.g. kuroniówka → zasiłek dla bezrobotnych)."""
    if not accounts_access.has_perm_anywhere(actor, Perm.KNOWLEDGE_EDIT):
        raise PermissionDenied(Perm.KNOWLEDGE_EDIT)
    phrase = " ".join(words(phrase)).lower()[:100]
    expansion = " ".join(expansion.split())[:200]
    if not phrase or not words(expansion):
        raise InvalidArticle(_("Give both the word and what to search for instead."))
    with transaction.atomic():
        synonym, created = Synonym.objects.update_or_create(
            phrase=phrase, defaults={"expansion": expansion, "created_at": clock.now()}
        )
        audit.record(
            "knowledge.synonym_saved",
            actor=actor,
            obj=synonym,
            changes={"expansion": [None if created else "?", expansion]},
        )
        transaction.on_commit(forget_synonyms)
    forget_synonyms()
    return synonym


def delete_synonym(*, actor: Actor, synonym: Synonym) -> None:
    if not accounts_access.has_perm_anywhere(actor, Perm.KNOWLEDGE_EDIT):
        raise PermissionDenied(Perm.KNOWLEDGE_EDIT)
    with transaction.atomic():
        audit.record(
            "knowledge.synonym_deleted",
            actor=actor,
            obj=synonym,
            changes={"expansion": [synonym.expansion, None]},
        )
        synonym.delete()
        transaction.on_commit(forget_synonyms)
    forget_synonyms()


def propose_article(
    *,
    actor: Actor,
    organisation: Organisation,
    question: str,
    answer: str = "",
    article: Article | None = None,
    interaction: Any = None,
    context: str = "",
) -> Proposal:
    """A consultant proposes a new FAQ entry (no ``article``) or a correction of ``article``."""
    if not accounts_access.has_perm_in(actor, Perm.KNOWLEDGE_READ_INTERNAL, organisation):
        raise PermissionDenied(Perm.KNOWLEDGE_READ_INTERNAL)
    question = " ".join(question.split())[:500]
    if not question:
        raise InvalidArticle(_("Write the question or what is wrong."))
    with transaction.atomic():
        proposal = Proposal.objects.create(
            kind=Proposal.Kind.CORRECTION if article else Proposal.Kind.NEW,
            article=article,
            organisation=organisation,
            question=question,
            answer=answer.strip()[:5000],
            context=context[:200],
            interaction=interaction,
            proposed_by=user_of(actor),
            created_at=clock.now(),
        )
        audit.record(
            "knowledge.proposal_created",
            actor=actor,
            obj=proposal,
            organisation_id=organisation.pk,
            data={"kind": proposal.kind, "article": article.pk if article else None},
        )
        events.emit(
            "knowledge.proposal_created",
            obj=proposal,
            organisation_id=organisation.pk,
            payload={"proposal": proposal.pk, "kind": proposal.kind, "article": article.pk if article else None},
        )
    return proposal


def resolve_proposal(*, actor: Actor, proposal: Proposal, accept: bool) -> Proposal:
    """Accept (a new entry becomes a draft FAQ article) or reject a proposal."""
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        organisation = current.article.organisation if current.article else current.organisation
        if not accounts_access.has_perm_in(actor, Perm.KNOWLEDGE_EDIT, organisation):
            raise PermissionDenied(Perm.KNOWLEDGE_EDIT)
        if current.status != Proposal.Status.OPEN:
            raise InvalidArticle(_("This proposal has already been handled."))
        if accept and current.kind == Proposal.Kind.NEW:
            current.result = create_article(
                actor=actor,
                organisation=organisation,
                title=current.question,
                question=current.question,
                body="".join(f"<p>{p}</p>" for p in _paragraphs(current.answer)),
                kind=Article.Kind.FAQ,
                audience=Article.Audience.INTERNAL,
            )
        elif accept:
            current.result = current.article
        current.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED
        current.handled_by = user_of(actor)
        current.handled_at = clock.now()
        current.save()
        audit.record(
            "knowledge.proposal_resolved",
            actor=actor,
            obj=current,
            organisation_id=current.organisation_id,
            changes={"status": [Proposal.Status.OPEN, current.status]},
        )
    return current


def _paragraphs(text: str) -> list[str]:
    from django.utils.html import escape

    return [escape(p.strip()) for p in text.split("\n") if p.strip()]


def answer_with_article(
    *,
    actor: Actor,
    article: Article,
    organisation: Organisation,
    outcome: str = ArticleUse.Outcome.ANSWERED,
    interaction: Any = None,
    client: Any = None,
    channel: str = "phone",
    query: str = "",
) -> ArticleUse:
    """ "Answered with this article" as one intent in one transaction: when the caller's contact is
    not recorded yet (the client card), record it, then link the article's use to it. Either both
    are stored or neither."""
    from okienko.interactions.actions import record_interaction
    from okienko.interactions.models import Interaction

    with transaction.atomic():
        if interaction is None and client is not None:
            interaction = record_interaction(
                actor=actor,
                channel=channel,
                organisation=organisation,
                client=client,
                question=query[:500],
                outcome=Interaction.Outcome.TRANSFERRED
                if outcome == ArticleUse.Outcome.TRANSFERRED
                else Interaction.Outcome.ANSWERED,
            )
        return record_article_use(
            actor=actor,
            article=article,
            organisation=organisation,
            outcome=outcome,
            interaction=interaction,
            query=query,
        )


def record_article_use(
    *,
    actor: Actor,
    article: Article,
    organisation: Organisation,
    outcome: str = ArticleUse.Outcome.ANSWERED,
    interaction: Any = None,
    query: str = "",
) -> ArticleUse:
    """Record that ``article`` answered (or led to transferring) a contact."""
    if not accounts_access.has_perm_in(actor, Perm.INTERACTIONS_RECORD, organisation):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise PermissionDenied("knowledge.article")
    if (
        interaction is not None
        and interaction.organisation_id != organisation.pk
        and not accounts_access.has_perm_in(actor, Perm.INTERACTIONS_RECORD, interaction.organisation)
    ):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    with transaction.atomic():
        use = None
        if interaction is not None:
            use = ArticleUse.objects.select_for_update().filter(article=article, interaction=interaction).first()
        changes: dict[str, list[Any]] = {}
        if use is None:
            use = ArticleUse.objects.create(
                article=article,
                interaction=interaction,
                organisation=organisation,
                outcome=outcome,
                query=query[:200],
                actor=user_of(actor),
                at=clock.now(),
            )
            changes = {"outcome": [None, outcome]}
        elif use.outcome != outcome:
            changes = {"outcome": [use.outcome, outcome]}
            use.outcome = outcome
            use.save(update_fields=["outcome"])
        if changes:
            audit.record(
                "knowledge.article_used",
                actor=actor,
                obj=use,
                organisation_id=organisation.pk,
                changes=changes,
                data={"article": article.pk, "interaction": interaction.pk if interaction else None},
            )
            events.emit(
                "knowledge.article_used",
                obj=use,
                organisation_id=organisation.pk,
                payload={
                    "article": article.pk,
                    "interaction": interaction.pk if interaction else None,
                    "outcome": outcome,
                },
            )
    return use


def record_feedback(*, article: Article, helpful: bool, comment: str = "") -> Feedback:
    return Feedback.objects.create(article=article, helpful=helpful, comment=comment.strip()[:1000], at=clock.now())


def record_search(*, query: str, results: int, source: str) -> SearchLog | None:
    normalised = " ".join(fold(w) for w in words(query))[:200]
    if not normalised:
        return None
    return SearchLog.objects.create(
        at=clock.now(), query=query[:200], normalised=normalised, results=results, source=source
    )

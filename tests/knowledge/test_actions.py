from __future__ import annotations

from collections.abc import Callable

import pytest

from okienko.accounts.models import Organisation, User
from okienko.core.models import AuditRecord
from okienko.knowledge import actions
from okienko.knowledge.errors import StaleVersion, TransitionNotAllowed
from okienko.knowledge.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db


def test_script_and_event_handlers_are_removed_on_save(region: Organisation, editor: User) -> None:
    article = actions.create_article(
        actor=editor,
        organisation=region,
        title="Test",
        body='<p onclick="x()">Tekst<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p>',
    )
    assert article.body == '<p>Tekst <a rel="noopener noreferrer">link</a></p>'
    assert article.body_text == "Tekst link"


def test_create_records_audit_version_and_draft_status(region: Organisation, editor: User) -> None:
    article = actions.create_article(actor=editor, organisation=region, title="Staż")
    assert article.status == Article.Status.DRAFT
    assert article.slug == "staz"
    assert list(ArticleVersion.objects.filter(article=article).values_list("number", flat=True)) == [1]
    assert AuditRecord.objects.filter(action="knowledge.article_created", object_id=str(article.pk)).count() == 1


def test_stale_edit_is_refused_without_overwriting(region: Organisation, editor: User) -> None:
    article = actions.create_article(actor=editor, organisation=region, title="Staż", body="<p>A</p>")
    actions.update_article(actor=editor, article=article, expected_version=1, body="<p>B</p>")
    with pytest.raises(StaleVersion):
        actions.update_article(actor=editor, article=article, expected_version=1, body="<p>C</p>")
    article.refresh_from_db()
    assert (article.body, article.version) == ("<p>B</p>", 2)


def test_workflow_goes_through_review_before_publishing(region: Organisation, editor: User) -> None:
    article = actions.create_article(actor=editor, organisation=region, title="Staż")
    with pytest.raises(TransitionNotAllowed):
        actions.transition_article(actor=editor, article=article, to_status=Article.Status.PUBLISHED)
    actions.transition_article(actor=editor, article=article, to_status=Article.Status.REVIEW)
    published = actions.transition_article(actor=editor, article=article, to_status=Article.Status.PUBLISHED)
    assert published.status == Article.Status.PUBLISHED
    assert published.published_at is not None


def test_restore_copies_an_old_version_as_a_new_one(region: Organisation, editor: User) -> None:
    article = actions.create_article(actor=editor, organisation=region, title="Staż", body="<p>A</p>")
    actions.update_article(actor=editor, article=article, expected_version=1, title="Staże", body="<p>B</p>")
    restored = actions.restore_version(actor=editor, article=article, number=1, expected_version=2)
    assert (restored.title, restored.body, restored.version) == ("Staż", "<p>A</p>", 3)


def test_consultant_cannot_edit(region: Organisation, consultant: User) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_article(actor=consultant, organisation=region, title="X")


def test_accepted_new_proposal_becomes_a_draft_faq(region: Organisation, editor: User, consultant: User) -> None:
    pup = Organisation.objects.get(code="pup-a")
    proposal = actions.propose_article(
        actor=consultant, organisation=pup, question="Czy bezrobotny może wyjechać?", answer="Tak, na 10 dni."
    )
    resolved = actions.resolve_proposal(actor=editor, proposal=proposal, accept=True)
    assert resolved.result is not None
    assert (resolved.result.status, resolved.result.kind, resolved.result.body) == (
        Article.Status.DRAFT,
        Article.Kind.FAQ,
        "<p>Tak, na 10 dni.</p>",
    )


def test_article_use_is_recorded_once_per_contact(publish: Callable[..., Article], consultant: User) -> None:
    from okienko.interactions.models import Interaction
    from okienko.knowledge.models import ArticleUse

    pup = Organisation.objects.get(code="pup-a")
    article = publish("Zasiłek", "<p>Tekst</p>")
    interaction = Interaction.objects.create(
        channel="phone", organisation=pup, staff=consultant, started_at="2026-01-05T10:00Z"
    )
    actions.record_article_use(actor=consultant, article=article, organisation=pup, interaction=interaction)
    actions.record_article_use(
        actor=consultant, article=article, organisation=pup, interaction=interaction, outcome="transferred"
    )
    assert list(ArticleUse.objects.values_list("outcome", flat=True)) == ["transferred"]


def test_review_reminder_is_emitted_once_when_the_review_date_comes(region: Organisation, editor: User) -> None:
    import datetime as dt

    import time_machine

    from okienko.core.models import OutboxEvent

    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        article = actions.create_article(
            actor=editor,
            organisation=region,
            title="Staż",
            status=Article.Status.PUBLISHED,
            review_by=dt.date(2026, 3, 10),
        )
        assert actions.remind_reviews() == []
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        assert actions.remind_reviews() == [article]
        assert actions.remind_reviews() == []
    event = OutboxEvent.objects.get(topic="knowledge.review_due")
    assert event.payload == {"article": article.pk, "uuid": str(article.uuid), "owner": editor.pk}

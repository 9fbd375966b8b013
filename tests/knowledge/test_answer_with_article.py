""" "Answered with this article" is one intent: the contact and the article's use are stored together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.interactions.models import Interaction
from okienko.knowledge import actions
from okienko.knowledge.models import Article, ArticleUse
from tests.clients.helpers import person

pytestmark = pytest.mark.django_db


def test_the_contact_and_the_use_are_recorded_together(
    consultant: User, publish: Callable[..., Article], region: Organisation
) -> None:
    article = publish("Zasiłek dla bezrobotnych", "Treść")
    office = Organisation.objects.get(code="pup-a")
    caller = person(office, "Nowak")
    use = actions.answer_with_article(
        actor=consultant, article=article, organisation=office, client=caller, query="kiedy zasiłek"
    )
    contact = Interaction.objects.get()
    assert (use.interaction, contact.client, contact.question, contact.outcome) == (
        contact,
        caller,
        "kiedy zasiłek",
        Interaction.Outcome.ANSWERED,
    )


def test_when_the_use_is_refused_no_contact_is_left_behind(
    consultant: User, publish: Callable[..., Article], region: Organisation, monkeypatch: Any
) -> None:
    article = publish("Zasiłek dla bezrobotnych", "Treść")
    office = Organisation.objects.get(code="pup-a")
    caller = person(office, "Nowak")

    def refuse(**kwargs: Any) -> ArticleUse:
        raise RuntimeError("the use could not be stored")

    monkeypatch.setattr("okienko.knowledge.actions.usage.record_article_use", refuse)
    with pytest.raises(RuntimeError):
        actions.answer_with_article(actor=consultant, article=article, organisation=office, client=caller)
    assert not Interaction.objects.exists()

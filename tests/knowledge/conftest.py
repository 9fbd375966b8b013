from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.knowledge import actions
from okienko.knowledge.models import Article
from okienko.knowledge.search import local_cache


@pytest.fixture(autouse=True)
def _fresh_search_caches() -> None:
    """Synonyms and index statistics are memoised per process; each test has its own content."""
    local_cache.clear()


@pytest.fixture
def editor(region: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("editor", roles=[(region, Role.KNOWLEDGE_EDITOR)])


@pytest.fixture
def consultant(region: Organisation, make_user: Callable[..., User]) -> User:
    pup = Organisation.objects.get(code="pup-a")
    return make_user("consultant", roles=[(pup, Role.CONSULTANT)])


@pytest.fixture
def publish(region: Organisation) -> Callable[..., Article]:
    """Create a published article of the region's WUP (public unless said otherwise)."""

    def make(title: str, body: str = "", *, slug: str = "", **fields: Any) -> Article:
        fields.setdefault("audience", Article.Audience.PUBLIC)
        return actions.create_article(
            actor=None,
            organisation=fields.pop("organisation", region),
            title=title,
            slug=slug or title,
            body=body,
            status=Article.Status.PUBLISHED,
            **fields,
        )

    return make

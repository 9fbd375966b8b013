from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from okienko.accounts.models import User
from okienko.knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_search_api_returns_ranked_public_results_with_snippets(
    client: Client, publish: Callable[..., Article]
) -> None:
    publish("Zasiłek dla bezrobotnych", "<p>Zasiłek przysługuje bezrobotnym.</p>", slug="zasilek")
    publish("Wewnętrzne", "<p>Zasiłek – instrukcja.</p>", slug="wewn", audience="internal")
    body = client.get("/api/v1/knowledge/search", {"q": "zasiłku"}).json()
    assert [(r["slug"], r["kind"], r["snippet"]) for r in body["results"]] == [
        ("zasilek", "faq", "<mark>Zasiłek</mark> przysługuje bezrobotnym.")
    ]


def test_staff_session_also_searches_internal_articles(
    client: Client, consultant: User, publish: Callable[..., Article]
) -> None:
    publish("Wewnętrzne", "<p>Zasiłek – instrukcja.</p>", slug="wewn", audience="internal")
    client.force_login(consultant)
    body = client.get("/api/v1/knowledge/search", {"q": "zasiłek"}).json()
    assert [r["slug"] for r in body["results"]] == ["wewn"]

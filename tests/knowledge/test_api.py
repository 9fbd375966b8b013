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


def _token(organisation_code: str, scopes: list[str], role: str = "consultant") -> str:
    from okienko.accounts.models import Organisation
    from okienko.api.actions import issue_api_token

    issued = issue_api_token(
        actor=None,
        organisation=Organisation.objects.get(code=organisation_code),
        name="Test system",
        scopes=scopes,
        role=role,
    )
    return issued.secret


def test_token_with_knowledge_read_also_searches_internal_articles(
    client: Client, publish: Callable[..., Article]
) -> None:
    publish("Zasiłek publiczny", "<p>Zasiłek dla bezrobotnych.</p>", slug="publ")
    publish("Wewnętrzne", "<p>Zasiłek – instrukcja.</p>", slug="wewn", audience="internal")
    secret = _token("pup-a", ["knowledge:read"])
    response = client.get("/api/v1/knowledge/search", {"q": "zasiłek"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert sorted(r["slug"] for r in response.json()["results"]) == ["publ", "wewn"]


def test_token_without_knowledge_read_is_refused_with_problem_details(
    client: Client, publish: Callable[..., Article]
) -> None:
    publish("Wewnętrzne", "<p>Zasiłek – instrukcja.</p>", slug="wewn", audience="internal")
    secret = _token("pup-a", ["open311:write"])
    response = client.get(
        "/api/v1/knowledge/search",
        {"q": "zasiłek"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["detail"]) == (403, "The API token needs the scope knowledge:read.")


def test_anonymous_search_still_gets_public_articles_only(client: Client, publish: Callable[..., Article]) -> None:
    publish("Zasiłek publiczny", "<p>Zasiłek dla bezrobotnych.</p>", slug="publ")
    publish("Wewnętrzne", "<p>Zasiłek – instrukcja.</p>", slug="wewn", audience="internal")
    response = client.get("/api/v1/knowledge/search", {"q": "zasiłek"})
    assert response.status_code == 200
    assert [r["slug"] for r in response.json()["results"]] == ["publ"]


def test_demo_rest_token_holds_knowledge_read() -> None:
    from okienko.api.models import Scope
    from okienko.integrations.demo import KEYS, REST_LODZ

    scopes = next(scopes for secret, _org, _name, scopes, _role in KEYS if secret == REST_LODZ)
    assert str(Scope.KNOWLEDGE_READ) in scopes

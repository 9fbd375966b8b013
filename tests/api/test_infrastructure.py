from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User

ORGS = "/api/v1/organisations/"


def test_unknown_api_address_answers_404_problem(region: Organisation, client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/no-such-thing/"


def test_unknown_object_answers_404_problem(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    response = token_client(region, ["organisations:read"]).get(ORGS + "city/")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_problem_titles_are_in_the_readers_language() -> None:
    """Like the detail, the title is translated: a Polish reader never sees "Not found"."""
    polish = APIClient(HTTP_ACCEPT_LANGUAGE="pl")
    assert polish.get("/api/v1/no-such-thing/").json()["title"] == "Nie znaleziono"
    assert polish.get("/api/v1/cases/").json()["title"] == "Brak uwierzytelnienia"


def test_list_is_cursor_paginated(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    client = token_client(region, ["organisations:read"])
    first = client.get(ORGS, {"page_size": 2, "ordering": "code"}).json()
    assert [o["code"] for o in first["results"]] == ["pup-a", "pup-a-dept"]
    second = client.get(first["next"]).json()
    assert [o["code"] for o in second["results"]] == ["pup-b", "pup-b-dept"]
    assert "cursor=" in first["next"]


def test_list_filters_by_kind_and_ancestor(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    client = token_client(region, ["organisations:read"])
    response = client.get(ORGS, {"kind": "department", "within": "pup-b", "ordering": "code"})
    assert [o["code"] for o in response.json()["results"]] == ["pup-b-dept"]


def test_invalid_filter_value_answers_400_problem_with_field_errors(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    response = token_client(region, ["organisations:read"]).get(ORGS, {"kind": "castle"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["kind"]


def test_detail_has_etag_and_if_none_match_answers_304(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    client = token_client(region, ["organisations:read"])
    first = client.get(ORGS + "pup-a/")
    assert first.status_code == 200
    etag = first["ETag"]
    again = client.get(ORGS + "pup-a/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_staff_session_sees_organisations_of_their_memberships(
    region: Organisation, make_user: Callable[..., User], client: Client
) -> None:
    user = make_user("k", roles=[(Organisation.objects.get(code="city"), "consultant")])
    client.force_login(user)
    response = client.get(ORGS + "?ordering=code")
    assert [o["code"] for o in response.json()["results"]] == ["city", "city-unit"]


def test_users_are_listed_with_memberships_within_the_token_scope(
    region: Organisation, make_user: Callable[..., User], token_client: Callable[..., APIClient]
) -> None:
    make_user("anna", roles=[(Organisation.objects.get(code="pup-a"), "expert")])
    make_user("ben", roles=[(Organisation.objects.get(code="city"), "expert")])
    client = token_client(Organisation.objects.get(code="pup-a"), ["users:read"])
    response = client.get("/api/v1/users/", {"role": "expert"})
    assert [(u["username"], u["memberships"]) for u in response.json()["results"]] == [
        ("anna", [{"organisation": "pup-a", "role": "expert", "include_descendants": True}])
    ]


def test_swagger_ui_and_schema_are_served_without_a_cdn(db: None, client: Client) -> None:
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"https?://[^\"']*cdn", html, re.IGNORECASE)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content

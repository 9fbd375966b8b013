from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.api.actions import IssuedToken, revoke_api_token
from okienko.api.models import ApiToken
from okienko.core.models import AuditRecord

ORGS = "/api/v1/organisations/"


def test_token_secret_is_stored_only_as_a_digest(region: Organisation, issue_token: Callable[..., IssuedToken]) -> None:
    issued = issue_token(region, ["organisations:read"])
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith(f"okn_{stored.prefix}_")
    assert issued.secret not in (stored.secret_hash, stored.prefix)
    assert len(stored.secret_hash) == 64


def test_issuing_a_token_creates_a_service_user_with_the_role_and_is_audited(
    region: Organisation, issue_token: Callable[..., IssuedToken]
) -> None:
    issued = issue_token(region, ["cases:read"], role="consultant")
    user = issued.token.user
    assert not user.has_usable_password()
    assert [(m.organisation.code, m.role) for m in user.memberships.all()] == [("wup", "consultant")]
    assert AuditRecord.objects.filter(action="api.token_issued", object_id=str(issued.token.pk)).count() == 1


def test_valid_token_reads_organisations_of_its_subtree_only(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    pup = Organisation.objects.get(code="pup-a")
    response = token_client(pup, ["organisations:read"]).get(ORGS)
    assert response.status_code == 200
    assert [o["code"] for o in response.json()["results"]] == ["pup-a-dept", "pup-a"]


def test_missing_credentials_answer_401_problem(region: Organisation, api: APIClient) -> None:
    response = api.get(ORGS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/not-authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="okienko"'


def test_wrong_secret_answers_401(
    region: Organisation, issue_token: Callable[..., IssuedToken], api: APIClient
) -> None:
    issued = issue_token(region, ["organisations:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer okn_{issued.token.prefix}_wrong")
    response = api.get(ORGS)
    assert response.status_code == 401
    assert response.json()["detail"] == "The API token is not valid."


def test_malformed_token_answers_401(region: Organisation, api: APIClient) -> None:
    api.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert api.get(ORGS).json()["detail"] == "The API token is malformed."


def test_revoked_token_answers_401(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    client = token_client(region, ["organisations:read"])
    revoke_api_token(actor=None, token=client.issued.token)  # type: ignore[attr-defined]
    response = client.get(ORGS)
    assert response.status_code == 401
    assert response.json()["detail"] == "The API token has been revoked."


def test_expired_token_answers_401(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        client = token_client(region, ["organisations:read"], expires_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
        assert client.get(ORGS).status_code == 200
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(ORGS)
    assert response.status_code == 401
    assert response.json()["detail"] == "The API token has expired."


def test_token_without_the_scope_answers_403(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    response = token_client(region, ["cases:read"]).get(ORGS)
    assert response.status_code == 403
    assert response.json()["detail"] == "The API token needs the scope organisations:read."
    polish = token_client(region, ["cases:read"])
    polish.credentials(HTTP_AUTHORIZATION=f"Bearer {polish.issued.secret}", HTTP_ACCEPT_LANGUAGE="pl")  # type: ignore[attr-defined]
    body = polish.get(ORGS).json()
    assert (body["title"], body["detail"]) == ("Brak dostępu", "Token API potrzebuje zakresu organisations:read.")


def test_last_use_is_recorded(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    client = token_client(region, ["organisations:read"])
    client.get(ORGS)
    assert ApiToken.objects.get(pk=client.issued.token.pk).last_used_at is not None  # type: ignore[attr-defined]


def test_rate_limit_answers_429_with_retry_after(region: Organisation, token_client: Callable[..., APIClient]) -> None:
    client = token_client(region, ["organisations:read"], rate_limit=2)
    assert [client.get(ORGS).status_code for _ in range(2)] == [200, 200]
    response = client.get(ORGS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["type"].endswith("/rate-limited")


def test_command_issues_lists_and_revokes_a_token(region: Organisation) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api_token", "issue", "--organisation", "wup", "--name", "EZD", "--scopes", "cases:read", stdout=out)
    secret = out.getvalue().split(": ", 1)[1].strip()
    token = ApiToken.objects.get()
    assert secret.startswith(f"okn_{token.prefix}_")
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert listing.getvalue().startswith(f"{token.prefix}\tactive\twup\tEZD\tcases:read")
    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    assert ApiToken.objects.get().revoked_at is not None

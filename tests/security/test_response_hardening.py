"""Response hardening (issue 10, defect 11): ``Permissions-Policy`` everywhere, ``no-store`` on
everything with personal data, and a public ``/health`` that tells outsiders only the status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role

pytestmark = pytest.mark.django_db

OUTSIDER = "198.51.100.23"


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/pomoc/", "/health", "/open311/v2/services.json"])
def test_every_response_carries_a_permissions_policy(client: Client, path: str) -> None:
    policy = client.get(path)["Permissions-Policy"]
    assert "camera=()" in policy
    assert "microphone=()" in policy
    assert "payment=()" in policy
    assert "geolocation=(self)" in policy


def test_staff_pages_are_never_stored(client: Client, region: Organisation, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("ola", roles=[(region, Role.SUPERVISOR)]))
    for path in ("/desk/", "/desk/clients/", "/pomoc/"):  # also a public page, seen signed in
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
        assert "private" in response["Cache-Control"]


def test_the_sign_in_page_and_api_answers_are_never_stored(
    client: Client, region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    assert _no_store(client.get("/accounts/login/"))
    assert _no_store(client.get("/api/v1/organisations/"))  # 401 for an anonymous caller
    answer = token_client(region, ["organisations:read"]).get("/api/v1/organisations/")
    assert answer.status_code == 200
    assert _no_store(answer)


def test_public_pages_stay_cacheable(client: Client) -> None:
    for path in ("/", "/pomoc/", "/open311/v2/services.json"):
        assert not _no_store(client.get(path)), path


def test_public_health_shows_only_the_status() -> None:
    response = Client(REMOTE_ADDR=OUTSIDER).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_details_for_loopback_and_staff(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    assert set(client.get("/health").json()) == {"status", "checks", "version"}  # 127.0.0.1
    staff = Client(REMOTE_ADDR=OUTSIDER)
    staff.force_login(make_user("ola", roles=[(region, Role.SUPERVISOR)]))
    assert "database" in staff.get("/health").json()["checks"]


def test_a_failing_component_is_not_named_to_the_public(monkeypatch: pytest.MonkeyPatch) -> None:
    from okienko.core import views

    def broken() -> dict[str, Any]:
        raise ConnectionError("redis://10.0.0.7:6379 refused")

    monkeypatch.setattr(views, "_check_cache", broken)
    response = Client(REMOTE_ADDR=OUTSIDER).get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}

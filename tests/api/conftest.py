from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.api.actions import IssuedToken, issue_api_token


@pytest.fixture
def issue_token(db: None) -> Callable[..., IssuedToken]:
    def issue(
        organisation: Organisation, scopes: list[str], role: str = Role.SUPERVISOR, **kwargs: object
    ) -> IssuedToken:
        return issue_api_token(
            actor=None,
            organisation=organisation,
            name="Test system",
            scopes=scopes,
            role=role,
            **kwargs,  # type: ignore[arg-type]
        )

    return issue


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def token_client(issue_token: Callable[..., IssuedToken]) -> Callable[..., APIClient]:
    def make(organisation: Organisation, scopes: list[str], role: str = Role.SUPERVISOR, **kwargs: object) -> APIClient:
        issued = issue_token(organisation, scopes, role, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}", HTTP_ACCEPT_LANGUAGE="en")
        client.issued = issued  # type: ignore[attr-defined]
        return client

    return make

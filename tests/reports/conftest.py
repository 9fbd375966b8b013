"""Fixtures shared with the cases and API tests."""

from tests.api.conftest import api, issue_token, token_client  # noqa: F401  # fixtures
from tests.cases.conftest import city, frozen  # noqa: F401  # fixtures

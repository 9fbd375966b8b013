"""Fixtures shared with the cases tests."""

from tests.cases.conftest import city, frozen  # noqa: F401  # fixtures

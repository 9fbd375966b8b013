"""Bounded schemathesis run against the committed OpenAPI document (docs/api/openapi.yaml):
every generated request must get a non-5xx answer that conforms to the documented schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from okienko.accounts.models import Organisation
from okienko.api.actions import issue_api_token
from okienko.api.models import Scope

DOCUMENT = Path(django_settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"

schema = schemathesis.openapi.from_dict(yaml.safe_load(DOCUMENT.read_text()))
schema.app = get_wsgi_application()


pytestmark = pytest.mark.usefixtures("wsgi_keeps_the_test_connection")


@pytest.fixture
def auth_header(region: Organisation) -> dict[str, str]:
    issued = issue_api_token(
        actor=None, organisation=region, name="fuzzer", scopes=list(Scope.values), role="supervisor", rate_limit=100_000
    )
    return {"Authorization": f"Bearer {issued.secret}"}


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=2,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_conforms_to_its_schema(case: Any, auth_header: dict[str, str]) -> None:
    response = case.call(headers=auth_header)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

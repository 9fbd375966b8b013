"""The WSGI/ASGI entry points send Open311 through the short middleware chain (ADR 0040)."""

from __future__ import annotations

import io
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from okienko.conf import lean
from okienko.conf.wsgi import application

pytestmark = pytest.mark.django_db


def call(path: str, **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "wsgi.input": io.BytesIO(b""), **headers}
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def test_open311_goes_through_the_lean_chain_with_security_headers_and_request_id() -> None:
    status, headers, body = call("/open311/v2/discovery.json", HTTP_X_REQUEST_ID="abc123")
    assert status.startswith("200")
    assert b"GeoReport_v2" in body
    assert headers["X-Request-ID"] == "abc123"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers
    assert "Content-Security-Policy" not in headers  # data, not pages


def test_everything_else_keeps_the_full_chain() -> None:
    status, headers, _body = call("/accounts/login/")
    assert status.startswith("200")
    assert "Content-Security-Policy" in headers
    assert headers["X-Frame-Options"] == "DENY"


def test_the_lean_chain_is_a_subset_of_the_full_one_in_the_same_order() -> None:
    from django.conf import settings

    positions = [settings.MIDDLEWARE.index(m) for m in lean.LEAN_MIDDLEWARE]
    assert positions == sorted(positions)
    assert lean.is_lean("/open311/v2/requests.json")
    assert not lean.is_lean("/api/v1/cases/")

"""Issue 5: the browsable API docs render from the app's own (sidecar) assets under the strict
CSP — checked in a context that does NOT bypass the CSP — and the Open311 documents open."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from okienko.accounts.models import User
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)


class StrictPage:
    """A page in a context that obeys the CSP, recording violations, errors and outside requests."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(base_url=base_url, locale="pl-PL")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.host = urlparse(base_url).netloc
        self.console: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "request",
            lambda r: None if urlparse(r.url).netloc in ("", self.host) else self.outside.append(r.url),
        )
        # Listen for violations before any script of the page runs.
        self.context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def violations(self) -> list[str]:
        from_events: list[str] = self.page.evaluate("window.__csp")
        from_console = [m for m in self.console if "Content Security Policy" in m]
        return from_events + from_console


@pytest.fixture
def strict(browser: Any, live_server: Any) -> Iterator[StrictPage]:
    s = StrictPage(browser, live_server.url)
    yield s
    s.context.close()


def test_swagger_ui_renders_from_local_assets_under_the_strict_csp(strict: StrictPage) -> None:
    response = strict.page.goto("/api/v1/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    title = strict.page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert title.inner_text().startswith("Okienko API")
    strict.page.locator(".swagger-ui .opblock").first.wait_for()
    assert strict.page.locator(".swagger-ui .opblock-tag").count() >= 5
    v = strict.violations()
    assert v == [], "\n".join(v)
    assert strict.errors == []
    assert strict.outside == []  # no CDN


def test_openapi_schema_is_served(strict: StrictPage) -> None:
    response = strict.page.goto("/api/v1/schema/?format=json")
    assert response.status == 200
    schema = json.loads(strict.page.locator("body").inner_text())
    assert schema["info"]["title"] == "Okienko API"
    assert "/api/v1/cases/" in schema["paths"]


def test_open311_discovery_and_services_open_in_the_browser(
    strict: StrictPage, make_user: Callable[..., User], settings: Any
) -> None:
    scenario.city(make_user)
    settings.OPEN311_DEFAULT_JURISDICTION = "ldz"
    response = strict.page.goto("/open311/v2/discovery.json")
    assert response.status == 200
    discovery = json.loads(strict.page.locator("body").inner_text())
    assert discovery["endpoints"][0]["formats"] == ["text/xml", "application/json"]

    response = strict.page.goto("/open311/v2/services.json?jurisdiction_id=ldz")
    assert response.status == 200
    services = json.loads(strict.page.locator("body").inner_text())
    assert [(s["service_code"], s["service_name"], s["metadata"]) for s in services] == [
        ("dziura", "Dziura w jezdni", True)
    ]

    response = strict.page.goto("/open311/v2/services/dziura.json?jurisdiction_id=ldz")
    assert response.status == 200
    definition = json.loads(strict.page.locator("body").inner_text())
    assert [(a["code"], a["datatype"], a["required"]) for a in definition["attributes"]] == [
        ("wielkosc", "singlevaluelist", True)
    ]

    response = strict.page.goto("/open311/v2/services.xml?jurisdiction_id=ldz")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<service_code>dziura</service_code>" in response.text()
    assert strict.errors == []

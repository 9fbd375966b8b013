"""The Swagger UI page works under the strict CSP in Debian's chromium (assets from the app)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("OKIENKO_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_operations_without_script_violations(live_server: Any) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    messages: list[str] = []
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: messages.append(m.text))
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock-tag", timeout=20_000)
        tags = page.locator(".opblock-tag").all_inner_texts()
        browser.close()
    assert {"cases", "clients", "organisations"} <= {t.strip().split("\n")[0] for t in tags}
    assert not [m for m in messages if "script-src" in m]
    assert all(url.startswith(live_server.url) for url in requested)

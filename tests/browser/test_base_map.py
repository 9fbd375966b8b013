"""Issue 12, item 4: with tiles configured, the public report form's map and the expert's queue map
both draw the base map (tiles routed to a stand-in server) with its attribution; axe still passes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.actions import open_case
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

TILES = "https://tiles.example.pl/{z}/{x}/{y}.png"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def city(make_user: Callable[..., User], settings: Any) -> scenario.City:
    settings.MAP_TILES, settings.MAP_ATTRIBUTION = TILES, "© Dostawca map testowy"
    c = scenario.city(make_user)
    open_case(
        actor=c.consultant,
        organisation=c.city,
        service=c.pothole,
        description="Głęboka dziura na pasie ruchu.",
        channel="phone",
        location={"latitude": "51.7592", "longitude": "19.4560", "address": "Piotrkowska 104", "gmina_code": "1061011"},
        answers={"wielkosc": "duza"},
    )
    return c


def _serve_tiles(page: Any) -> list[str]:
    asked: list[str] = []

    def tile(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route("https://tiles.example.pl/**", tile)
    return asked


def _drawn(page: Any, map_id: str) -> None:
    page.locator(f"#{map_id} img.leaflet-tile").first.wait_for(state="attached")
    sources = page.locator(f"#{map_id} img.leaflet-tile").evaluate_all("els => els.map(e => e.src)")
    assert sources
    assert all(s.startswith("https://tiles.example.pl/") for s in sources)
    assert "© Dostawca map testowy" in page.locator(f"#{map_id} .leaflet-control-attribution").inner_text()


def test_the_report_form_and_the_queue_map_draw_the_configured_tiles(
    page: Any, city: scenario.City, sign_in: Callable[[str], None], axe: Any
) -> None:
    asked = _serve_tiles(page)
    page.goto(f"/zglos/{city.pothole.uuid}/")
    _drawn(page, "case-map")
    axe(page)

    sign_in("drogowiec")
    page.goto("/desk/cases/team/?view=map")
    _drawn(page, "queue-map")
    axe(page)
    assert asked

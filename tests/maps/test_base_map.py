"""Issue 12, item 4: the configured base map reaches every map — the forms' maps and the queue's —
and the Content-Security-Policy lets the browser load its tiles (and nothing else through it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okienko.conf.env import image_sources
from tests.cases.conftest import City, open_pothole

TILES = "https://tiles.example.pl/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    ("template", "extra"),
    [
        ("", []),
        (TILES, ["https://tiles.example.pl"]),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://*.tile.openstreetmap.org"]),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", ["http://127.0.0.1:8080"]),
        ("javascript:alert(1)//{z}", []),
        ("https://evil.example; script-src *", []),
        ("https://{z}{x}.example/{y}.png", []),
        ("/tiles/{z}/{x}/{y}.png", []),  # our own host: 'self' already covers it
    ],
)
def test_the_tile_host_and_nothing_else_is_added_to_img_src(template: str, extra: list[str]) -> None:
    assert image_sources(template) == ["'self'", "data:", *extra]


def test_the_policy_is_built_from_the_configured_tiles(settings: Any) -> None:
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == image_sources(settings.MAP_TILES)


def test_the_queue_map_carries_the_configured_base_map(city: City, frozen: Any, client: Client, settings: Any) -> None:
    settings.MAP_TILES, settings.MAP_ATTRIBUTION = TILES, "© Dostawca map"
    open_pothole(city)
    client.force_login(city.expert)
    page = client.get("/desk/cases/team/", {"view": "map"}).content.decode()
    assert f'data-tiles="{TILES}"' in page
    assert 'data-attribution="© Dostawca map"' in page
    assert 'data-bbox="' in page

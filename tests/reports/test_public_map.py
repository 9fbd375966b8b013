"""The public map of recent requests (issue 20, items 4 and 7): published services only, no
personal data, description or exact place, k-anonymous cells, refusals with a reason (never 500)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.catalogue.models import Service
from okienko.reports import maps
from tests.cases.conftest import POINT, City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

NOW = "2026-11-23 09:00:00+00:00"
DATA = "/mapa-zgloszen/dane.geojson"
SECRET = {"name": "Jan Tajny", "phone": "600999888", "email": "jan@tajny.pl"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _publish(city: City) -> None:
    Service.objects.filter(pk=city.pothole.pk).update(publication=Service.Publication.LISTED)


def _at(lat: str, lon: str) -> dict[str, str]:
    return {**POINT, "latitude": lat, "longitude": lon, "address": "Tajna 7/3"}


def _cases(city: City, *, crowd: int = 3, lone: int = 1) -> None:
    """``crowd`` cases at one place (51.759, 19.457) and ``lone`` cases each at its own place."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(crowd):
            open_pothole(city, reporter=SECRET, description="Dziura przed domem Jana Tajnego")
        for n in range(lone):
            open_pothole(city, reporter=SECRET, location=_at("51.7711", f"19.47{n}3"), description="Sekret")


def _get(client: WebClient, **params: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.get(DATA, params)


def test_high_zoom_shows_a_place_only_with_k_cases_and_never_the_exact_point(city: City, client: WebClient) -> None:
    _publish(city)
    _cases(city, crowd=3, lone=2)
    response = _get(client, bbox="19.40,51.73,19.52,51.80", zoom=15)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    text = response.content.decode()
    places = [f for f in body["features"] if f["properties"]["kind"] == "place"]
    cells = [f for f in body["features"] if f["properties"]["kind"] == "cell"]
    assert [(p["geometry"]["coordinates"], p["properties"]["count"]) for p in places] == [([19.457, 51.759], 3)]
    # the two lone cases are merged into their 0.01° cell, placed at its centre, not at either case
    assert [(c["geometry"]["coordinates"], c["properties"]["count"]) for c in cells] == [([19.475, 51.775], 2)]
    for marker in ("Tajny", "Tajnego", "600999888", "tajny.pl", "Tajna", "Sekret", "Dziura", "19.4713", "51.7711"):
        assert marker not in text
    assert body["k"] == maps.K


def test_zoomed_out_everything_is_a_cell_with_counts(city: City, client: WebClient) -> None:
    _publish(city)
    _cases(city, crowd=3, lone=1)
    body = _get(client, zoom=8).json()
    assert [f["properties"]["kind"] for f in body["features"]] == ["cell"]
    assert body["features"][0]["properties"]["count"] == 4
    assert body["features"][0]["properties"]["open"] == 4


def test_unpublished_services_never_appear(city: City, client: WebClient) -> None:
    _cases(city, crowd=3, lone=0)  # pothole is private by default
    assert _get(client, zoom=8).json()["features"] == []
    assert _get(client, zoom=15, bbox="19.40,51.73,19.52,51.80").json()["features"] == []
    with time_machine.travel(NOW, tick=False):
        page = client.get("/mapa-zgloszen/lista/").content.decode()
        assert "Pothole" not in page
        assert "Pothole" not in client.get("/mapa-zgloszen/").content.decode()


def test_filters_by_period_status_service_and_category(city: City, client: WebClient) -> None:
    _publish(city)
    _cases(city, crowd=3, lone=0)
    assert _get(client, zoom=8, status="otwarte").json()["features"][0]["properties"]["count"] == 3
    assert _get(client, zoom=8, status="zamkniete").json()["features"] == []
    assert _get(client, zoom=8, usluga=city.pothole.pk).json()["features"][0]["properties"]["count"] == 3
    assert _get(client, zoom=8, kategoria=city.pothole.category_id).json()["features"]
    with time_machine.travel("2026-12-30 09:00:00+00:00", tick=False):
        cache.clear()
        assert client.get(DATA, {"zoom": 8}).json()["features"] == []  # older than 30 days
        assert client.get(DATA, {"zoom": 8, "dni": 90}).json()["features"][0]["properties"]["count"] == 3


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"bbox": "-180,-90,180,90", "zoom": 6}, "bbox-too-large"),
        ({"bbox": "14,49,24.2,54.9", "zoom": 15}, "bbox-too-large-for-zoom"),
        ({"bbox": "19.40,51.73,19.52,51.80", "zoom": 19}, "zoom-too-high"),
        ({"zoom": 99999999999}, "zoom-too-high"),
        ({"zoom": "x"}, "invalid-parameter"),
        ({"bbox": "1,2,3"}, "invalid-bbox"),
        ({"bbox": "nan,1,2,3"}, "invalid-bbox"),
        ({"bbox": "20,52,19,51"}, "invalid-bbox"),
        ({"dni": 91}, "period-too-long"),
        ({"dni": 0}, "period-too-long"),
        ({"status": "all"}, "invalid-status"),
        ({"usluga": 999999}, "unknown-service"),
    ],
)
def test_refusals_are_problems_with_a_reason(client: WebClient, params: dict[str, Any], reason: str) -> None:
    response = client.get(DATA, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["reason"] == reason
    assert body["type"].endswith("/" + reason)
    assert body["status"] == 400
    assert body["detail"]


def test_an_unpublished_service_cannot_be_asked_for(city: City, client: WebClient) -> None:
    response = client.get(DATA, {"usluga": city.pothole.pk})
    assert response.status_code == 400


def test_the_answer_is_capped_and_cached(city: City, client: WebClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _publish(city)
    _cases(city, crowd=1, lone=3)
    monkeypatch.setattr(maps, "MAX_FEATURES", 1)
    body = _get(client, zoom=12, bbox="19.0,51.5,20.0,52.0").json()
    assert len(body["features"]) == 1
    assert body["truncated"] is True
    with time_machine.travel(NOW, tick=False):
        open_pothole(city, location=_at("51.7001", "19.4001"))
    assert _get(client, zoom=12, bbox="19.0,51.5,20.0,52.0").json() == body  # cached
    assert "max-age=300" in _get(client, zoom=8)["Cache-Control"]


def test_the_page_and_the_table_work_without_sign_in(city: City, client: WebClient) -> None:
    _publish(city)
    _cases(city, crowd=3, lone=1)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/mapa-zgloszen/?status=otwarte")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="public-map"' in html
        assert "status=otwarte" in html
        assert "<script>" not in html
        table = client.get("/mapa-zgloszen/lista/")
        html = table.content.decode()
        assert table.status_code == 200
        assert "Łódź" in html
        assert "Pothole" in html
        assert ">4<" in html
        for marker in ("Tajny", "600999888", "Tajna", "Sekret", "Dziura", "51.7"):
            assert marker not in html
        assert client.get("/mapa-zgloszen/lista/?dni=500").status_code == 400


@SETTINGS
@given(key=st.sampled_from(["bbox", "zoom", "dni", "usluga", "kategoria", "status"]), text=HOSTILE)
def test_hostile_query_strings_never_fail(client: WebClient, key: str, text: str) -> None:
    client.raise_request_exception = False
    for url in (DATA, "/mapa-zgloszen/", "/mapa-zgloszen/lista/"):
        assert client.get(url, {key: text}).status_code in (200, 400)

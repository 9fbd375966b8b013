"""The desk map's area level (ADR 0071): cases counted per imported area of the organisations in
the reader's scope, the areas' boundaries, refusals with a reason, and nothing for other offices."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.reports import areas
from okienko.reports.area_models import Area
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS
from tests.reports.test_areas import WARSZAWA, collection, feature

pytestmark = pytest.mark.django_db

NOW = "2026-11-23 09:00:00+00:00"
PAGE = "/desk/reports/map/"
REGIONS = "/desk/reports/map/regions.json"
SHAPES = "/desk/reports/map/obszary.geojson"
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}
PALACE = {"latitude": "52.2318", "longitude": "21.0060", "address": "Plac Defilad 1"}  # Śródmieście
PRAGA = {"latitude": "52.2567", "longitude": "21.0372", "address": "Ząbkowska 1"}  # Praga Północ
LODZ = {"latitude": "51.759", "longitude": "19.457", "address": "Piotrkowska 104"}  # outside Warsaw


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def warsaw(city: City) -> City:
    if WARSZAWA.exists():
        data = WARSZAWA.read_bytes()
    else:  # a square "Śródmieście" around the Palace of Culture and one for Praga Północ
        data = collection(
            feature(
                "Śródmieście", "s", [[[20.99, 52.22], [21.02, 52.22], [21.02, 52.24], [20.99, 52.24], [20.99, 52.22]]]
            ),
            feature(
                "Praga Północ", "p", [[[21.03, 52.25], [21.05, 52.25], [21.05, 52.26], [21.03, 52.26], [21.03, 52.25]]]
            ),
        )
    areas.import_areas(data, organisation=city.city, kind="district", actor=None, source_name="w.geojson")
    with time_machine.travel(NOW, tick=False):
        for place in (PALACE, PALACE, PRAGA, LODZ):
            open_pothole(city, location=place)
    return city


def _get(http: WebClient, url: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        return http.get(url, {**PERIOD, **params}, headers=headers)


def _http(user: Any) -> WebClient:
    http = WebClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


def test_cases_are_counted_in_their_districts(warsaw: City) -> None:
    http = _http(warsaw.supervisor)
    body = _get(http, REGIONS, level="area").json()
    counts = {r["name"]: r["count"] for r in body["regions"]}
    assert counts == {"Śródmieście": 2, "Praga Północ": 1}  # not in the city outline "Warszawa"
    assert body["total"] == 4
    assert body["unplaced"] == 1
    assert body["kind"] == "district"
    shapes = _get(http, SHAPES, kind="district")
    assert shapes.status_code == 200
    assert shapes["Content-Type"] == "application/geo+json"
    codes = {f["properties"]["code"]: f["properties"]["name"] for f in json.loads(shapes.content)["features"]}
    assert {r["code"] for r in body["regions"]} <= set(codes)
    zipped = _get(http, SHAPES, headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == json.loads(shapes.content)
    assert len(zipped.content) < len(shapes.content)
    page = _get(http, PAGE)
    html = page.content.decode()
    assert 'value="area:district"' in html
    assert "Śródmieście" in html
    assert "By city district" in html


def test_a_reimport_refreshes_the_counts(warsaw: City) -> None:
    http = _http(warsaw.supervisor)
    assert _get(http, REGIONS, level="area").json()["unplaced"] == 1
    areas.import_areas(
        collection(feature("Łódź", "lodz", [[[19.3, 51.7], [19.6, 51.7], [19.6, 51.85], [19.3, 51.85], [19.3, 51.7]]])),
        organisation=warsaw.city,
        kind="district",
        actor=None,
    )
    body = _get(http, REGIONS, level="area").json()
    assert body["unplaced"] == 0
    assert {r["name"]: r["count"] for r in body["regions"]}["Łódź"] == 1


def test_refusals_and_other_organisations(warsaw: City, make_user: Any) -> None:
    http = _http(warsaw.supervisor)
    refused = _get(http, REGIONS, level="area", kind="osiedle")
    assert refused.status_code == 400
    assert refused.json()["reason"] == "unknown-kind"
    assert refused["Content-Type"] == "application/problem+json"
    assert _get(http, SHAPES, kind="moon").json()["reason"] == "unknown-kind"
    stranger = make_user("stranger", roles=[(warsaw.other_city, Role.ANALYST)])
    other = _http(stranger)
    none = _get(other, REGIONS, level="area")
    assert none.status_code == 400
    assert none.json()["reason"] == "no-areas"
    assert _get(other, SHAPES).json()["reason"] == "no-areas"
    page = _get(other, PAGE).content.decode()
    assert "area:district" not in page
    assert "Śródmieście" not in page
    areas.import_areas(collection(feature("Obce", "o")), organisation=warsaw.other_city, kind="district", actor=None)
    theirs = json.loads(_get(other, SHAPES).content)
    assert [f["properties"]["name"] for f in theirs["features"]] == ["Obce"]
    assert _get(other, REGIONS, level="area").json()["regions"] == []
    assert "Obce" not in _get(http, SHAPES).content.decode()
    assert Area.objects.count() > 2


def test_a_units_head_sees_the_citys_districts_with_the_units_own_counts(warsaw: City, make_user: Any) -> None:
    """Boundaries imported by the city serve its units; the counts stay those of the unit's scope."""
    from okienko.cases.models import Case

    Case.objects.update(assigned_unit=warsaw.roads)
    head = make_user("roads-head", roles=[(warsaw.roads, Role.SUPERVISOR)])
    http = _http(head)
    body = _get(http, REGIONS, level="area").json()
    assert body["kind"] == "district"
    assert {r["name"]: r["count"] for r in body["regions"]} == {"Śródmieście": 2, "Praga Północ": 1}
    names = {f["properties"]["name"] for f in json.loads(_get(http, SHAPES, kind="district").content)["features"]}
    assert {"Śródmieście", "Praga Północ"} <= names
    assert 'value="area:district"' in _get(http, PAGE).content.decode()
    greenery = make_user("green-head", roles=[(warsaw.green, Role.SUPERVISOR)])
    theirs = _get(_http(greenery), REGIONS, level="area").json()
    assert theirs["kind"] == "district"
    assert sum(r["count"] for r in theirs["regions"]) == 0  # the potholes are the roads unit's


def test_the_residence_layer_matches_gmina_codes(city: City) -> None:
    from okienko.clients.models import Client

    areas.import_areas(
        collection(
            feature("Łódź", "1061011", [[[19.3, 51.7], [19.6, 51.7], [19.6, 51.85], [19.3, 51.85], [19.3, 51.7]]])
        ),
        organisation=city.city,
        kind="gmina",
        actor=None,
    )
    client = Client.objects.create(
        number="K-1",
        first_name="Ewa",
        last_name="Tajna",
        home_office=city.city,
        gmina=city.gmina,
        created_at="2026-11-01T00:00:00Z",
        updated_at="2026-11-01T00:00:00Z",
    )
    with time_machine.travel(NOW, tick=False):
        open_pothole(city, client=client)
        open_pothole(city)
    body = _get(_http(city.supervisor), REGIONS, level="area", layer="residence").json()
    assert [(r["area_code"], r["count"]) for r in body["regions"]] == [("1061011", 1)]
    assert body["unplaced"] == 1
    assert "Tajna" not in json.dumps(body)


@SETTINGS
@given(key=st.sampled_from(["since", "until", "service", "status", "layer", "level", "kind"]), text=HOSTILE)
def test_hostile_area_queries_never_fail(warsaw: City, key: str, text: str) -> None:
    http = _http(warsaw.supervisor)
    for url in (PAGE, REGIONS, SHAPES):
        params = {**PERIOD, "level": "area", key: text}
        with time_machine.travel(NOW, tick=False):
            assert http.get(url, params).status_code in (200, 400), url

"""The desk's spatial reports (issue 20, item 4): the map page, its JSON data and boundaries, each
in the reader's ``reports.view`` scope; refusals with a reason, never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.clients.models import Client
from okienko.reports import spatial
from tests.cases.conftest import POINT, City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

NOW = "2026-11-23 09:00:00+00:00"
PAGE = "/desk/reports/map/"
CELLS = "/desk/reports/map/cells.json"
REGIONS = "/desk/reports/map/regions.json"
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}
BOX = "19.30,51.68,19.65,51.85"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _cases(city: City) -> None:
    """Three potholes (run by Roads) in Łódź, one with no TERYT code (placed by its point), and one
    fallen tree (no unit) with the secret reporter."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            open_pothole(city)
        open_pothole(city, location={"latitude": "51.7712", "longitude": "19.4601", "address": "Ul. Tajna 1"})
        open_pothole(
            city, service=city.tree, answers={}, description="Tajne drzewo", location={**POINT, "address": "Tajna 9"}
        )


def _http(user: Any) -> WebClient:
    http = WebClient(raise_request_exception=False)
    http.force_login(user)
    return http


def _get(http: WebClient, url: str, **params: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        return http.get(url, {**PERIOD, **params})


def test_a_supervisor_sees_cells_and_powiaty_of_the_city(city: City) -> None:
    _cases(city)
    http = _http(city.supervisor)
    response = _get(http, CELLS, bbox=BOX, zoom=12)
    assert response.status_code == 200, response.content
    body = response.json()
    assert sum(f["properties"]["count"] for f in body["features"]) == 4
    text = response.content.decode()
    assert "Tajn" not in text
    assert "Kowalski" not in text
    assert "51.7712" not in text
    regions = _get(http, REGIONS, level="powiat").json()
    assert regions["regions"] == [{"code": "1061", "name": "Łódź", "count": 4, "open": 4, "closed": 0}]
    assert regions["unplaced"] == 0
    voivodeships = _get(http, REGIONS, level="voivodeship").json()
    assert [(r["code"], r["count"]) for r in voivodeships["regions"]] == [("10", 4)]
    page = _get(http, PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1061" in html
    assert "Łódź" in html
    assert "Tajn" not in html


def test_street_level_cells_never_single_out_a_point(city: City) -> None:
    _cases(city)
    body = _get(_http(city.supervisor), CELLS, bbox="19.44,51.75,19.47,51.78", zoom=18).json()
    assert sum(f["properties"]["count"] for f in body["features"]) == 4
    for feature in body["features"]:
        assert feature["properties"]["cell"] == spatial.MIN_CELL
        lon, lat = feature["geometry"]["coordinates"]
        # every point is the centre of a 0.001° cell (…x5), never a case's own place (51.759, 51.7712)
        assert round(lat * 10000) % 10 == 5
        assert round(lon * 10000) % 10 == 5
    assert "51.7712" not in json.dumps(body)


def test_a_unit_head_sees_only_the_cases_of_the_unit(city: City, make_user: Any) -> None:
    _cases(city)
    head = make_user("head", roles=[(city.roads, Role.SUPERVISOR)])
    body = _get(_http(head), CELLS, bbox=BOX, zoom=12).json()
    assert sum(f["properties"]["count"] for f in body["features"]) == 3  # the potholes, not the tree
    regions = _get(_http(head), REGIONS).json()
    assert regions["total"] == 3


def test_refusals_for_roles_and_other_organisations(city: City, make_user: Any) -> None:
    _cases(city)
    assert WebClient().get(PAGE).status_code == 302
    for user in (city.consultant, city.expert, city.outsider):
        for url in (PAGE, CELLS, REGIONS, "/desk/reports/map/powiaty.geojson"):
            assert _get(_http(user), url).status_code == 403, (user.username, url)
    # an analyst of another city learns nothing: no counts, and the city's matter is "unknown"
    stranger = make_user("stranger", roles=[(city.other_city, Role.ANALYST)])
    http = _http(stranger)
    assert _get(http, CELLS, bbox=BOX, zoom=12).json()["features"] == []
    assert _get(http, REGIONS).json()["total"] == 0
    refused = _get(http, CELLS, bbox=BOX, zoom=12, service=city.pothole.pk)
    assert refused.status_code == 400
    assert refused.json()["reason"] == "unknown-service"
    assert "Pothole" not in _get(http, PAGE).content.decode()


def test_residence_and_reporting_layers(city: City) -> None:
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
    http = _http(city.supervisor)
    residence = _get(http, REGIONS, layer="residence").json()
    assert residence["regions"][0]["code"] == "1061"
    assert residence["regions"][0]["count"] == 1
    assert residence["unplaced"] == 1
    cells = _get(http, CELLS, layer="residence", bbox=BOX, zoom=10).json()
    assert [f["properties"]["count"] for f in cells["features"]] == [1]
    reporting = _get(http, REGIONS, layer="reporting").json()
    assert reporting["total"] == 2  # the city has no located seat in this fixture: unplaced
    assert "Tajna" not in json.dumps([residence, cells, reporting])


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"bbox": "-180,-90,180,90", "zoom": 5}, "bbox-too-large"),
        ({"bbox": BOX, "zoom": 40}, "invalid-zoom"),
        ({"bbox": BOX, "zoom": -3}, "invalid-zoom"),
        ({"bbox": BOX, "zoom": "x"}, "invalid-parameter"),
        ({"bbox": "1,2,3", "zoom": 10}, "invalid-bbox"),
        ({"bbox": "nan,1,2,3", "zoom": 10}, "invalid-bbox"),
        ({"bbox": BOX, "service": "999999"}, "unknown-service"),
        ({"bbox": BOX, "service": "abc"}, "unknown-service"),
        ({"bbox": BOX, "since": "2014-01-01", "until": "2026-11-30"}, "invalid-period"),
        ({"bbox": BOX, "since": "2026-12-01", "until": "2026-11-01"}, "invalid-period"),
        ({"bbox": BOX, "status": "maybe"}, "invalid-status"),
        ({"bbox": BOX, "layer": "home"}, "unknown-layer"),
    ],
)
def test_bad_input_is_refused_with_a_reason(city: City, params: dict[str, Any], reason: str) -> None:
    response = _get(_http(city.supervisor), CELLS, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["reason"] == reason
    assert body["detail"]
    assert response["Content-Type"] == "application/problem+json"


def test_bad_level_and_bad_page_filters(city: City) -> None:
    http = _http(city.supervisor)
    assert _get(http, REGIONS, level="gmina").json()["reason"] == "invalid-level"
    page = _get(http, PAGE, since="2010-01-01", until="2026-01-01")
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


def test_boundaries_are_small_and_coded(city: City) -> None:
    http = _http(city.supervisor)
    powiaty = http.get("/desk/reports/map/powiaty.geojson")
    assert powiaty.status_code == 200
    assert len(powiaty.content) < 330_000
    zipped = http.get("/desk/reports/map/powiaty.geojson", headers={"Accept-Encoding": "gzip, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < 150_000
    codes = {f["properties"]["code"] for f in json.loads(powiaty.content)["features"]}
    assert len(codes) == 380
    assert "1061" in codes
    voivodeships = json.loads(http.get("/desk/reports/map/wojewodztwa.geojson").content)
    assert len(voivodeships["features"]) == 16


@SETTINGS
@given(
    key=st.sampled_from(["since", "until", "service", "status", "layer", "bbox", "zoom", "level", "kind"]), text=HOSTILE
)
def test_hostile_query_strings_never_fail(city: City, key: str, text: str) -> None:
    http = _http(city.supervisor)
    for url in (PAGE, CELLS, REGIONS, "/desk/reports/map/obszary.geojson"):
        assert http.get(url, {**PERIOD, key: text}).status_code in (200, 400), url

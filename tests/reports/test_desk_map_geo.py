"""Placing points in powiaty for the desk map's choropleth (issue 20, item 4): ray casting over the
shipped boundaries with a bounding-box prefilter, cached per 0.01° cell; centres for the residence
layer fall inside their powiat; the boundaries sent to browsers keep every unit."""

from __future__ import annotations

import json

import pytest

from okienko.core import reference
from okienko.reports import spatial


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (51.7592, 19.4560, "1061"),  # Łódź, Piotrkowska (city with powiat rights)
        (51.8500, 19.6400, "1006"),  # powiat łódzki wschodni, east of the city
        (53.1325, 23.1688, "2061"),  # Białystok
        (52.2297, 21.0122, "1465"),  # Warszawa
        (50.0614, 19.9372, "1261"),  # Kraków
        (55.0000, 18.0000, ""),  # the Baltic Sea
        (48.5000, 19.0000, ""),  # Slovakia
    ],
)
def test_known_points_fall_in_their_powiat(lat: float, lon: float, code: str) -> None:
    assert reference.powiat_at(lat, lon) == code
    cell = spatial.powiat_of_cell(int(lat // spatial.PIP_CELL), int(lon // spatial.PIP_CELL))
    if code in ("1061", "2061", "1465", "1261"):  # well inside: the cell's centre agrees
        assert cell == code


def test_the_cell_lookup_is_cached() -> None:
    spatial.powiat_of_cell.cache_clear()
    spatial.powiat_of_cell(5175, 1945)
    spatial.powiat_of_cell(5175, 1945)
    info = spatial.powiat_of_cell.cache_info()
    assert (info.hits, info.misses) == (1, 1)


@pytest.mark.parametrize("code", ["1061", "2061", "1465", "1006", "0201", "3201"])
def test_powiat_centres_fall_inside(code: str) -> None:
    lat, lon = spatial.powiat_centres()[code]
    assert reference.powiat_at(lat, lon) == code


def test_region_names_and_thinned_boundaries() -> None:
    names = spatial.region_names()
    assert (names["1061"], names["10"]) == ("Łódź", "łódzkie")
    powiaty = json.loads(spatial.boundaries("powiat"))
    assert {f["properties"]["code"] for f in powiaty["features"]} >= {"1061", "2061", "1465"}
    for feature in powiaty["features"]:
        rings = feature["geometry"]["coordinates"]
        outer = rings[0] if feature["geometry"]["type"] == "Polygon" else rings[0][0]
        assert len(outer) >= 4
        assert outer[0] == outer[-1]
        assert all(len(str(x).split(".")[-1]) <= 3 for x, _y in outer)

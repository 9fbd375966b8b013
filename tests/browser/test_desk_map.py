"""The desk's map of cases (issue 20, item 4) in a real browser, at desktop and phone widths: a
supervisor sees areas with counts, switches to the heat map and to shades per powiat and
voivodeship, changes the layer with the form, and reads the same numbers in the table and the
early-warning panel. Every state passes axe without sideways scroll."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F

from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.reports import areas, hotspots
from tests.browser.scenario import PASSWORD
from tests.cases.conftest import POINT, City, city, open_pothole  # noqa: F401  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def located(city: City) -> City:  # noqa: F811
    opened = [open_pothole(city).pk for _ in range(6)]
    opened.append(open_pothole(city, location={**POINT, "latitude": "51.771", "longitude": "19.471"}).pk)
    Case.objects.filter(pk__in=opened).update(created_at=F("created_at") - dt.timedelta(hours=2))
    hotspots.run()
    centre = [[[19.40, 51.73], [19.50, 51.73], [19.50, 51.80], [19.40, 51.80], [19.40, 51.73]]]
    district = {
        "type": "Feature",
        "properties": {"nazwa": "Śródmieście Łodzi", "kod": "sr"},
        "geometry": {"type": "Polygon", "coordinates": centre},
    }
    areas.import_areas(
        json.dumps({"type": "FeatureCollection", "features": [district]}).encode(),
        organisation=city.city,
        kind="district",
        actor=None,
    )
    return city


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_reads_the_map_in_every_mode(
    page: Any, located: City, axe: Axe, size: str, make_user: Any, sign_in: Callable[[str], None]
) -> None:
    make_user("kierowniczka", roles=[(located.city, Role.SUPERVISOR)], password=PASSWORD)
    page.set_viewport_size(SIZES[size])
    sign_in("kierowniczka")
    page.goto("/desk/reports/map/")
    page.locator("#desk-map .desk-map-count").first.wait_for()
    assert "Sprawy: 7" in page.locator("#desk-map-status").inner_text()
    assert page.get_by_role("row", name="Łódź 1061 7 7 0").count() == 1
    assert page.get_by_role("row", name="łódzkie 10 7 7 0").count() == 1
    page.locator("#desk-map-areas tbody tr").first.wait_for()  # the areas on screen, as a table
    assert page.get_by_role("caption").filter(has_text="Skupiska z ostatnich czterech tygodni").count() == 1
    assert page.locator("#hotspots-caption").locator("xpath=..").get_by_role("cell", name="Pothole").count() == 1
    _checked(page, axe)
    page.get_by_label("Mapa cieplna").check()
    page.locator("#desk-map canvas.okienko-heat").wait_for(state="attached")
    page.get_by_label("Powiaty (odcienie)").check()
    page.locator("#desk-map path.leaflet-interactive").first.wait_for(state="attached")
    page.locator("#desk-map .desk-map-legend").wait_for()
    assert "Sprawy: 7" in page.locator("#desk-map-status").inner_text()
    _checked(page, axe)
    page.get_by_label("Województwa (odcienie)").check()
    page.wait_for_function("() => document.querySelectorAll('#desk-map path.leaflet-interactive').length === 16")
    page.get_by_label("Dzielnice (odcienie)").check()  # the districts the city imported (ADR 0071)
    page.wait_for_function("() => document.querySelectorAll('#desk-map path.leaflet-interactive').length === 1")
    assert "Sprawy: 7" in page.locator("#desk-map-status").inner_text()
    assert page.get_by_role("row", name="Śródmieście Łodzi sr 7 7 0").count() == 1
    _checked(page, axe)
    page.get_by_label("Miejsce", exact=True).select_option("residence")
    page.get_by_role("button", name="Pokaż", exact=True).click()
    page.wait_for_url("**layer=residence**")
    assert page.get_by_role("row", name="Łódź 1061").count() == 0  # no client has a home gmina here
    _checked(page, axe)


@pytest.mark.parametrize("size", SIZES)
def test_an_administrator_imports_districts_with_the_keyboard(
    page: Any,
    city: City,  # noqa: F811
    axe: Axe,
    size: str,
    make_user: Any,
    sign_in: Callable[[str], None],
) -> None:
    make_user("administratorka", roles=[(city.city, Role.ADMINISTRATOR)], password=PASSWORD)
    page.set_viewport_size(SIZES[size])
    sign_in("administratorka")
    page.goto("/desk/reports/map/obszary/")
    _checked(page, axe)
    square = [[[19.4, 51.73], [19.5, 51.73], [19.5, 51.8], [19.4, 51.8], [19.4, 51.73]]]
    features = [
        {
            "type": "Feature",
            "properties": {"nazwa": "Bałuty", "kod": "b"},
            "geometry": {"type": "Polygon", "coordinates": square},
        },
        {"type": "Feature", "properties": {"kod": "x"}, "geometry": {"type": "Polygon", "coordinates": square}},
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    page.get_by_label("Rodzaj obszarów").select_option("district")
    page.get_by_label("Plik GeoJSON").set_input_files(
        {"name": "dzielnice.geojson", "mimeType": "application/geo+json", "buffer": data}
    )
    page.get_by_label("Plik GeoJSON").focus()
    page.keyboard.press("Tab")  # the optional properties, the two options, then the button
    for _ in range(4):
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Importuj"
    page.keyboard.press("Enter")
    page.get_by_role("caption").filter(has_text="Odrzucone obiekty").wait_for()
    assert page.get_by_role("row", name="2 name Brak nazwy (nazwa).").count() == 1
    assert page.get_by_role("link", name="Pobierz odrzucone obiekty (CSV)").count() == 1
    assert page.get_by_role("row", name="Bałuty b dzielnica").count() == 1
    _checked(page, axe)

"""README's public report, re-recorded at desktop (1366 px) and phone (390 px) sizes: a resident
types the pothole's address into the map's search box, picks the result, sends the report and gets
its number. The geocoder is a real HTTP server on 127.0.0.1 answering like Nominatim; when it is
down the search says so and a click on the map still places the report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from okienko.accounts.models import TerritorialUnit, User
from okienko.cases.models import Case
from tests import factories
from tests.browser import scenario
from tests.maps.fake_geocoder import FakeGeocoder, fake_geocoder

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def city(make_user: Callable[..., User], settings: Any) -> scenario.City:
    settings.PORTAL_MIN_FILL_SECONDS = 0  # the robot types faster than any person
    c = scenario.city(make_user)
    c.city.territory.add(factories.territory("1061", "Łódź", TerritorialUnit.Kind.CITY_POWIAT))
    return c


@pytest.fixture
def nominatim(settings: Any) -> Iterator[FakeGeocoder]:
    with fake_geocoder() as server:
        settings.GEOCODER, settings.GEOCODER_URL, settings.GEOCODER_TIMEOUT = "nominatim", server.url, 2
        yield server


def _start(page: Any, city: scenario.City, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto(f"/zglos/{city.pothole.uuid}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dziura w jezdni"
    page.get_by_label("Czego dotyczy sprawa?").fill("Głęboka dziura w jezdni, można uszkodzić koło")
    page.get_by_label("Wielkość ubytku").select_option("duza")


def _send(page: Any) -> Case:
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.wait_for_url("**/zglos/przyjete")
    case = Case.objects.get()
    assert page.locator(".case-number").inner_text() == case.number
    return case


@pytest.mark.parametrize("size", SIZES)
def test_resident_reports_a_pothole_by_typing_its_address(
    page: Any, city: scenario.City, nominatim: FakeGeocoder, axe: Any, size: str
) -> None:
    _start(page, city, size)
    search = page.get_by_label("Znajdź adres na mapie")
    search.fill("Piotrkowska 104")
    page.get_by_role("button", name="Znajdź", exact=True).click()
    assert page.locator("#map-q-status").inner_text() in ("Szukam…", "Wybierz miejsce z listy.")
    result = page.get_by_role("button", name="Piotrkowska 104, Łódź")
    result.click()
    assert page.locator("#map-q-status").inner_text() == "Pinezka jest na mapie."
    assert page.locator("#id_address").input_value() == "Piotrkowska 104, Łódź"
    assert (page.locator("#f-latitude").input_value(), page.locator("#f-longitude").input_value()) == (
        "51.759200",
        "19.456000",
    )
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    axe(page)
    case = _send(page)
    assert (str(case.latitude), case.address, case.gmina_id) == ("51.759200", "Piotrkowska 104, Łódź", "1061011")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_an_unknown_address_leaves_the_map_to_place_the_report(
    page: Any, city: scenario.City, nominatim: FakeGeocoder, size: str
) -> None:
    _start(page, city, size)
    page.get_by_label("Znajdź adres na mapie").fill("Nieistniejąca 7")
    page.get_by_label("Znajdź adres na mapie").press("Enter")
    status = page.locator("#map-q-status")
    status.filter(has_text="Nic nie znaleziono").wait_for()
    page.locator("#case-map").click()  # the pin goes where the resident clicks
    assert page.locator("#f-latitude").input_value() != ""
    page.locator("#id_address").fill("za sklepem przy Nieistniejącej 7")
    case = _send(page)
    assert case.latitude is not None
    assert case.gmina_id == "1061011"  # the map opens on Łódź, so the click is in Łódź


def test_a_geocoder_that_is_down_says_so_and_the_map_still_works(page: Any, city: scenario.City, settings: Any) -> None:
    with fake_geocoder() as server:
        url = server.url
    settings.GEOCODER, settings.GEOCODER_URL, settings.GEOCODER_TIMEOUT = "photon", url, 1
    _start(page, city, "phone")
    # The 503 of the search is expected here, not a page error: let the browser see it as 200.
    page.route("**/zglos/mapa/miejsca*", lambda route: route.fulfill(response=route.fetch(), status=200))
    page.get_by_label("Znajdź adres na mapie").fill("Piotrkowska 104")
    page.get_by_role("button", name="Znajdź", exact=True).click()
    page.locator("#map-q-status").filter(has_text="Wyszukiwanie adresów chwilowo nie działa").wait_for()
    page.locator("#case-map").focus()
    page.keyboard.press("Enter")  # the pin in the middle of the map, from the keyboard
    assert page.locator("#f-latitude").input_value() != ""
    _send(page)

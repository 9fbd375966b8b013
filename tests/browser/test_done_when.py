"""Issue 12's "Done when", end to end in one browser on the demo data of ``make run``: a resident
reports a pothole by typing its address (a fake Nominatim on 127.0.0.1), gets the number and looks
the report up by number + e-mail; ``konsultant.lodz`` types the number into the desk's top-bar
search box and reads its status; ``ekspert.zdit`` sees it as high priority on the queue's map."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from okienko.accounts import demo as accounts_demo
from okienko.cases.models import Case
from okienko.catalogue import demo as catalogue_demo
from tests.maps.fake_geocoder import FakeGeocoder, fake_geocoder

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "okienko-demo-2026"  # README, "Demo accounts"
Axe = Callable[[Any], None]


@pytest.fixture
def demo(settings: Any) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 0  # the robot types faster than any person
    accounts_demo.load(stdout=io.StringIO())
    catalogue_demo.load(stdout=io.StringIO())


@pytest.fixture
def nominatim(settings: Any) -> Iterator[FakeGeocoder]:
    with fake_geocoder() as server:
        settings.GEOCODER, settings.GEOCODER_URL, settings.GEOCODER_TIMEOUT = "nominatim", server.url, 2
        yield server


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def _sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/desk/**")


def test_done_when(page: Any, demo: None, nominatim: FakeGeocoder, axe: Axe) -> None:
    # A resident on a phone: the report form's entry, the pothole form, the address typed.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/zglos/")
    page.get_by_label("Co chcesz zgłosić?").fill("dziura")
    page.get_by_label("Co chcesz zgłosić?").press("Enter")
    page.get_by_role("link", name="Dziura w jezdni").first.click()
    page.get_by_role("heading", level=1, name="Dziura w jezdni").wait_for()
    _no_sideways_scroll(page)
    axe(page)
    page.get_by_label("Czego dotyczy sprawa?").fill("Głęboka dziura na pasie ruchu, samochody ją omijają")
    page.get_by_label("Wielkość ubytku").select_option("duzy")
    page.get_by_label("Czy ubytek jest na pasie ruchu?").select_option("tak")
    page.get_by_label("Przybliżona głębokość ubytku (cm)").fill("15")
    page.get_by_label("Znajdź adres na mapie").fill("Piotrkowska 104")
    page.get_by_role("button", name="Znajdź", exact=True).click()
    page.get_by_role("button", name="Piotrkowska 104, Łódź").click()
    assert page.locator("#map-q-status").inner_text() == "Pinezka jest na mapie."
    page.get_by_label("E-mail", exact=True).fill("anna.nowak@example.org")
    page.get_by_label("Zgadzam się na kontakt").check()
    _no_sideways_scroll(page)
    axe(page)
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.wait_for_url("**/zglos/przyjete")
    case = Case.objects.get()
    number = page.locator(".case-number").inner_text()
    assert number == case.number
    assert (case.priority, case.assigned_unit.code if case.assigned_unit else "") == ("high", "lodz-zdit")
    _no_sideways_scroll(page)
    axe(page)

    # Later: the report looked up by its number and the e-mail given.
    page.goto("/")
    page.get_by_role("navigation", name="Nawigacja portalu").get_by_role("link", name="Sprawdź zgłoszenie").click()
    page.get_by_label("Numer zgłoszenia").fill(number)
    page.get_by_label("E-mail lub telefon podany w zgłoszeniu").fill("Anna.Nowak@example.org")
    page.get_by_role("button", name="Pokaż status").click()
    page.wait_for_url(f"**/sprawy/{case.uuid}/")
    facts = page.locator("dl.case-facts").inner_text()
    assert number in facts
    assert "Przekazane do właściwej komórki" in facts
    _no_sideways_scroll(page)
    axe(page)

    # konsultant.lodz at the desk: the number typed into the top bar's search box opens the case.
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, "konsultant.lodz")
    search = page.get_by_label("Szukaj klientów i spraw")
    search.fill(number)
    search.press("Enter")
    page.wait_for_url(f"**/desk/cases/{case.uuid}/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert number in heading
    assert "przydzielona" in heading  # the status the consultant tells the caller
    assert "Zarząd Dróg i Transportu" in page.locator("dl.case-facts").inner_text()
    axe(page)

    # ekspert.zdit: the case is high priority on the map of the queue.
    _sign_in(page, "ekspert.zdit")
    page.goto("/desk/cases/team/?view=map&priority=high")
    page.locator("#queue-map path.leaflet-interactive").first.wait_for()
    listed = page.locator(".map-list li", has_text=number)
    assert listed.count() == 1
    assert "wysoki" in listed.inner_text()
    axe(page)

"""Issue 12, item 7: the expert's queue shows address, priority, age and deadline, and the same cases
on a map; both pass axe at desktop and phone width without scrolling the page sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.actions import open_case
from okienko.cases.models import Case
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


@pytest.fixture
def cases(city: scenario.City) -> list[Case]:
    def report(description: str, lat: str, lon: str, address: str, priority: str) -> Case:
        return open_case(
            actor=city.consultant,
            organisation=city.city,
            service=city.pothole,
            description=description,
            channel="phone",
            location={"latitude": lat, "longitude": lon, "address": address, "gmina_code": "1061011"},
            answers={"wielkosc": "duza"},
            priority=priority,
        )

    return [
        report("Głęboka dziura na pasie ruchu.", "51.7592", "19.4560", "Piotrkowska 104", "high"),
        report("Mały ubytek przy krawężniku.", "51.7700", "19.4700", "Zachodnia 12", "normal"),
    ]


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_queue_and_its_map_at_desktop_and_phone_width(
    page: Any, sign_in: SignIn, cases: list[Case], axe: Axe, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("drogowiec")
    page.goto("/desk/cases/team/")
    high = page.locator("table.queue tbody tr", has_text=cases[0].number)
    cells = high.locator("td").all_inner_texts()
    assert cells[1:7] == [
        "Dziura w jezdni",
        "Piotrkowska 104",
        "wysoki",
        "przydzielona",
        "Zarząd Dróg i Transportu",
        "dzisiaj",
    ]
    assert high.locator("time").count() == 1
    _no_sideways_scroll(page)
    axe(page)

    # The map view: one marker per case, the list under it, the filter kept.
    page.get_by_role("link", name="Mapa").click()
    page.wait_for_url("**view=map**")
    page.locator("#queue-map path.leaflet-interactive").first.wait_for()
    assert page.locator("#queue-map path.leaflet-interactive").count() == 2
    assert page.locator(".map-list li").all_inner_texts()[0].startswith(cases[0].number)
    assert page.get_by_role("link", name="Mapa").get_attribute("aria-current") == "page"
    _no_sideways_scroll(page)
    axe(page)

    # A marker opens a popup with the link to the case.
    page.locator("#queue-map path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    link = popup.locator("a")
    number = link.inner_text()
    assert number in {c.number for c in cases}
    link.focus()  # the popup may still be panning into view on a phone: follow the link from the keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/cases/*/")
    assert number in page.get_by_role("heading", level=1).inner_text()


def test_the_map_view_keeps_the_priority_filter(page: Any, sign_in: SignIn, cases: list[Case], axe: Axe) -> None:
    sign_in("drogowiec")
    page.goto("/desk/cases/team/?view=map")
    page.locator("#f-priority").select_option("high")
    page.get_by_role("button", name="Filtruj").click()
    page.wait_for_url("**priority=high**")
    assert "view=map" in page.url
    page.locator("#queue-map path.leaflet-interactive").first.wait_for()
    assert page.locator("#queue-map path.leaflet-interactive").count() == 1
    assert page.locator(".map-list li").count() == 1

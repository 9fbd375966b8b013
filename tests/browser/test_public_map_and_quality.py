"""The public map of recent requests and the desk's quality report in a real browser (issue 20),
at desktop and phone widths: the map loads its areas without sign-in, the table carries the same
matters, an analyst reads the quality table (office and calendar hours, complaints, the year
before) and follows a count to the cases behind it. Every page passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.roles import Role
from okienko.catalogue.models import Service
from tests.browser.scenario import PASSWORD
from tests.cases.conftest import POINT, City, city, open_pothole  # noqa: F401  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def reported(city: City) -> City:  # noqa: F811
    Service.objects.filter(pk=city.pothole.pk).update(publication=Service.Publication.LISTED)
    for _ in range(3):
        open_pothole(city, reporter={"name": "Jan Tajny", "phone": "600999888"})
    open_pothole(city, location={**POINT, "latitude": "51.771", "longitude": "19.471"})
    return city


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_resident_reads_the_map_and_its_table(page: Any, reported: City, axe: Axe, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/mapa-zgloszen/")
    page.locator("#public-map .map-cell-count").first.wait_for()
    assert "Liczba spraw: 4" in page.locator("#public-map-status").inner_text()
    assert "Tajny" not in page.content()
    _checked(page, axe)
    page.get_by_label("Status").select_option("otwarte")
    page.get_by_role("button", name="Pokaż").click()
    page.wait_for_url("**status=otwarte**")
    page.locator("#public-map .map-cell-count").first.wait_for()
    link = page.get_by_role("link", name="Te same sprawy w tabeli (według dzielnicy i rodzaju sprawy)")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/mapa-zgloszen/lista/?**")
    assert page.get_by_role("row", name="Łódź Pothole 4 4 0").count() == 1
    _checked(page, axe)


@pytest.mark.parametrize("size", SIZES)
def test_an_analyst_reads_the_quality_report(
    page: Any, reported: City, axe: Axe, size: str, make_user: Any, sign_in: Callable[[str], None]
) -> None:
    make_user("analityczka", roles=[(reported.city, Role.ANALYST)], password=PASSWORD)
    page.set_viewport_size(SIZES[size])
    sign_in("analityczka")
    page.goto("/desk/reports/quality/")
    row = page.get_by_role("row", name="Roads Pothole 4")
    assert row.count() == 1
    assert page.get_by_role("columnheader", name="Załatwienie (godziny pracy, średnio)").count() == 1
    assert page.get_by_role("caption").filter(has_text="Skargi, odwołania i petycje").count() == 1
    _checked(page, axe)
    # the count of cases leads, by keyboard, to the cases behind it — with links to the desk
    link = row.get_by_role("link", name="4", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/reports/quality/cases/?**measure=cases**")
    assert page.get_by_role("heading", level=1).inner_text() == "Sprawy składające się na liczbę z raportu jakości"
    assert page.locator("table.data-table tbody tr a[href^='/desk/cases/']").count() == 4
    _checked(page, axe)
    page.get_by_role("link", name="Wróć do raportu jakości").click()
    page.wait_for_url("**/desk/reports/quality/?**")
    assert page.get_by_role("row", name="Roads Pothole 4").count() == 1

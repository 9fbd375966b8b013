"""The public statistics page and the open-data page in a real browser (issue 20), by keyboard,
at desktop and phone widths: a resident picks a month and reads the tables; the open-data page
lists the files. Every page passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from okienko.catalogue.models import Service
from okienko.reports import rollups
from tests.cases.conftest import City, city, open_pothole  # noqa: F401  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def reported(city: City) -> City:  # noqa: F811
    Service.objects.filter(pk=city.pothole.pk).update(publication=Service.Publication.LISTED)
    with time_machine.travel("2026-10-14 09:00:00+00:00", tick=False):
        open_pothole(city)
    open_pothole(city, description="Another")
    rollups.rebuild()
    return city


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_resident_reads_a_months_statistics_and_finds_the_open_data(
    page: Any, reported: City, axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/statystyki/")
    _checked(page, axe)
    assert page.get_by_role("table").count() >= 5
    page.get_by_label("Miesiąc").select_option("2026-10")
    page.get_by_label("Miesiąc").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/statystyki/?miesiac=2026-10")
    assert "październik 2026" in page.locator("h1").inner_text()
    assert page.get_by_role("row", name="Pothole").count() >= 1
    _checked(page, axe)
    link = page.get_by_role("link", name="Dane otwarte: zgłoszone sprawy z każdego dnia w plikach CSV i JSON")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/dane-otwarte/")
    assert page.get_by_role("link", name="CSV").count() == 31
    _checked(page, axe)

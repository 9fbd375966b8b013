"""The management dashboard /desk/reports/ in a real browser (issue 20, item 2): a supervisor
chooses a period by keyboard and reads the tables (the refusal of a bad period, a 400 page that
the browser logs as an error, is tested in tests/reports). Axe at desktop and phone widths, no
sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cases.conftest import City, city  # noqa: F401  # fixtures
from tests.reports.test_dashboard import figures

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_reads_a_months_figures_by_keyboard(
    page: Any,
    city: City,  # noqa: F811
    axe: Axe,
    sign_in: Callable[..., None],
    size: str,
) -> None:
    figures(city)
    page.set_viewport_size(SIZES[size])
    sign_in(city.supervisor.username, "pass-1234-word")
    page.goto("/desk/reports/")
    _checked(page, axe)
    page.get_by_label("Od", exact=True).fill("2026-11-01")
    page.get_by_label("Do", exact=True).fill("2026-11-30")
    page.get_by_label("Do", exact=True).press("Enter")
    page.wait_for_url("**/desk/reports/?since=2026-11-01&until=2026-11-30*")
    assert page.get_by_role("table").count() >= 8
    totals = page.get_by_role("row", name="Kontakty")
    assert totals.first.locator("td").first.inner_text() == "4"
    charts = page.locator("canvas[data-chart][role='img']")
    assert charts.count() >= 3
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart && Chart.getChart(c))"
    )
    _checked(page, axe)

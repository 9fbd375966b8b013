"""The desk's export of cases and the labour offices in figures in a real browser (issue 20), by
keyboard, at desktop and phone widths, with axe and no sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_an_analyst_counts_and_exports_cases_and_reads_the_labour_figures(
    page: Any,
    region: Organisation,
    make_user: Callable[..., User],
    sign_in: Callable[[str], None],
    axe: Axe,
    size: str,
) -> None:
    make_user("analityk", roles=[(region, Role.ANALYST)], password=PASSWORD)
    page.set_viewport_size(SIZES[size])
    sign_in("analityk")
    page.goto("/desk/reports/export/")
    _checked(page, axe)
    page.get_by_label("Zarejestrowane od").fill("2026-01-01")
    page.get_by_label("Zarejestrowane od").press("Enter")
    page.wait_for_url("**/desk/reports/export/?*")
    assert page.get_by_role("status").is_visible()
    assert page.get_by_role("link", name="Pobierz CSV").is_visible()
    _checked(page, axe)
    page.goto("/desk/reports/labour/")
    assert page.get_by_role("table", name="Według urzędu pracy").is_visible()
    _checked(page, axe)

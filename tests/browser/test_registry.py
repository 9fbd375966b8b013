"""The registry of the unemployed in a real browser, by keyboard, at desktop and phone widths: a
labour office's contract manager opens the registry from the navigation, imports the example export
with mistakes, reads the rejected rows, searches the registered people and opens one; every page
passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from tests.browser.conftest import PASSWORD
from tests.contracting.registry_helpers import EXAMPLES, run

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def office(region: Organisation, make_user: Callable[..., User], settings: Any, tmp_path: Any) -> Organisation:
    settings.MEDIA_ROOT = tmp_path
    pup = Organisation.objects.get(code="pup-a")
    make_user("kontrakty", roles=[(pup, Role.CONTRACT_MANAGER)], password=PASSWORD)
    run(pup, (EXAMPLES / "syriusz-example.csv").read_bytes())
    return pup


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_contract_manager_imports_and_searches_with_the_keyboard(
    page: Any, office: Organisation, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("kontrakty")
    page.goto("/desk/")
    page.locator("#main").get_by_role("link", name="Zarejestrowani bezrobotni").focus()  # the start page's menu
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/registry/")
    assert page.get_by_role("heading", level=1).inner_text() == "Zarejestrowani bezrobotni"
    _checked(page, axe)

    page.get_by_role("link", name="Importy z Syriusza").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/registry/imports/")
    _checked(page, axe)
    page.get_by_label("Format eksportu").select_option("csv")
    page.get_by_label("Plik eksportu").set_input_files(str(EXAMPLES / "syriusz-bledy.csv"))
    page.get_by_role("button", name="Importuj").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/registry/imports/*/")
    main = page.locator("main").inner_text()
    assert "Odrzucone wiersze" in main
    assert "Cyfra kontrolna numeru PESEL jest błędna." in main
    assert "Duplikat wiersza 10" in main
    assert page.get_by_role("link", name="Pobierz odrzucone wiersze (CSV)").count() == 1
    _checked(page, axe)

    page.goto("/desk/registry/")
    page.get_by_label("Imię i nazwisko, PESEL lub identyfikator w Syriuszu").fill("BI/2025/000002")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/registry/?q=*")
    person = page.get_by_role("link", name="Kozłowski Tomasz")
    person.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/registry/people/*/")
    assert "88021798256" in page.locator("main").inner_text()
    _checked(page, axe)

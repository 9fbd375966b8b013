"""The login page, the desk shell per role and the public site, as a person uses them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_is_polish_and_accessible(page: Any, axe: Callable[[Any], None]) -> None:
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == "Zaloguj się do Okienka"
    axe(page)


def test_wrong_password_shows_a_readable_error(page: Any, make_user: Callable[..., User]) -> None:
    make_user("ola", password=PASSWORD)
    page.goto("/accounts/login/")
    page.get_by_label("Nazwa użytkownika").fill("ola")
    page.get_by_label("Hasło").fill("wrong-password")
    page.get_by_role("button", name="Zaloguj się").click()
    assert "Nieprawidłowa nazwa użytkownika lub hasło" in page.get_by_role("alert").inner_text()


def test_supervisor_signs_in_with_the_keyboard_and_sees_the_desk(
    page: Any, region: Organisation, make_user: Callable[..., User], axe: Callable[[Any], None]
) -> None:
    make_user("kierownik", roles=[(region, Role.SUPERVISOR)], password=PASSWORD)
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # skip link first
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.get_by_label("Nazwa użytkownika").focus()
    page.keyboard.type("kierownik")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/")
    assert page.get_by_role("heading", level=1).inner_text() == "Witaj, Test"
    assert "kierownik" in page.locator("ul.roles").inner_text()
    axe(page)


def test_skip_link_moves_focus_to_the_content(
    page: Any, sign_in: Callable[[str], None], make_user: Callable[..., User], region: Organisation
) -> None:
    make_user("ola", roles=[(region, Role.ANALYST)], password=PASSWORD)
    sign_in("ola")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Przejdź do treści"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_shows_the_desk_in_english(
    page: Any,
    sign_in: Callable[[str], None],
    make_user: Callable[..., User],
    region: Organisation,
    axe: Callable[[Any], None],
) -> None:
    make_user("ola", roles=[(region, Role.ANALYST)], password=PASSWORD)
    sign_in("ola")
    with page.expect_navigation():
        page.get_by_label("Język").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Test"
    axe(page)


def test_user_of_two_organisations_switches_with_the_selector(
    page: Any, sign_in: Callable[[str], None], make_user: Callable[..., User], region: Organisation
) -> None:
    city = Organisation.objects.get(code="city")
    make_user("ola", roles=[(region, Role.ANALYST), (city, Role.ANALYST)], password=PASSWORD)
    sign_in("ola")
    with page.expect_navigation():
        page.get_by_label("Pracujesz dla").select_option("city")
    assert "Pracujesz dla: City." in page.locator("main").inner_text()


def test_public_home_page_is_accessible(page: Any, region: Organisation, axe: Callable[[Any], None]) -> None:
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Jedno okienko do każdej sprawy"
    axe(page)

"""Issue 3, the 1st line: a consultant finds a caller, sees the history, records the call and
opens a case for the right unit — with the keyboard, checking accessibility on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.models import Case
from okienko.interactions.models import Interaction
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


def test_consultant_finds_a_client_by_a_misspelt_name_without_diacritics(
    page: Any, sign_in: SignIn, city: scenario.City, axe: Axe
) -> None:
    sign_in("konsultantka")
    page.goto("/desk/clients/")
    assert scenario.focused(page)["id"] == "client-q"  # the search box has the focus on arrival
    axe(page)
    page.keyboard.type("zolkiewsky")
    first = page.locator("[data-results] a").first
    first.wait_for()
    assert city.client.number in first.inner_text()
    page.keyboard.press("ArrowDown")
    assert scenario.focused(page)["text"].startswith("Łukasz Żółkiewski")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/clients/{city.client.uuid}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Łukasz Żółkiewski")
    assert "Harmonogram wywozu odpadów" in page.locator("#history-h + .table-scroll table").inner_text()
    axe(page)


def test_consultant_finds_a_client_by_part_of_the_phone_number(page: Any, sign_in: SignIn, city: scenario.City) -> None:
    sign_in("konsultantka")
    page.goto("/desk/clients/")
    # Type only once the box has the focus (under load the page's script may still be starting),
    # and give the search the time a busy CI machine needs.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'client-q'")
    page.keyboard.type("601234567")
    page.locator("[data-results] a").first.wait_for(timeout=30_000)
    assert page.locator("[data-results] a").count() == 1
    assert city.client.number in page.locator("[data-results]").inner_text()


def test_slash_focuses_the_client_search_box(page: Any, sign_in: SignIn, city: scenario.City) -> None:
    sign_in("konsultantka")
    page.goto("/desk/clients/")
    page.locator("main h1").click()  # focus away from the box (on nothing focusable)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert scenario.focused(page)["id"] == "client-q"
    assert page.locator("#client-q").input_value() == ""  # the "/" itself was not typed


def test_consultant_records_a_call_and_opens_a_case_with_the_keyboard(
    page: Any, sign_in: SignIn, city: scenario.City, axe: Axe
) -> None:
    sign_in("konsultantka")
    page.goto(f"/desk/clients/{city.client.uuid}/")
    # Record the call: service by its code (the datalist suggests it), the subject, then the
    # "open a case" button — all from the keyboard.
    page.locator("#id_service").focus()
    page.keyboard.type("dziura")
    page.keyboard.press("Tab")
    assert scenario.focused(page)["name"] == "question"
    page.keyboard.type("Dziura przed domem klienta")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["value"] == "case")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/cases/new/**")
    interaction = Interaction.objects.get(client=city.client, question="Dziura przed domem klienta")
    assert (interaction.channel, interaction.outcome, interaction.service) == ("phone", "case_opened", city.pothole)
    axe(page)

    # Intake: the contact's service and subject are carried over (nothing typed is lost); add to
    # the description, answer the question and place the pin with the keyboard.
    assert page.get_by_role("heading", level=2).first.inner_text() == "Dziura w jezdni"
    assert page.locator("#f-description").input_value() == "Dziura przed domem klienta"
    page.locator("#f-description").focus()
    page.keyboard.press("End")
    page.keyboard.type(" Głęboka dziura, samochody omijają ją po chodniku.")
    page.keyboard.press("Tab")
    assert scenario.focused(page)["id"] == "q-wielkosc"
    page.locator("#q-wielkosc").select_option("duza")
    scenario.tab_until(page, lambda f: f["id"] == "case-map")  # past the map's address search
    page.keyboard.press("Enter")  # drops the pin in the middle of the map
    assert page.locator("#f-latitude").input_value() != ""
    page.locator("#f-address").fill("Piotrkowska 104")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Załóż sprawę")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/desk/cases/[0-9a-f-]{36}/$"))

    case = Case.objects.get(client=city.client)
    assert (case.status, case.assigned_unit, case.answers) == ("assigned", city.roads, {"wielkosc": "duza"})
    assert case.resolve_due is not None
    assert case.description == "Dziura przed domem klienta Głęboka dziura, samochody omijają ją po chodniku."
    interaction.refresh_from_db()
    assert interaction.case == case
    assert case.number in page.get_by_role("heading", level=1).inner_text()
    facts = page.locator("dl.case-facts").inner_text()
    assert "Zarząd Dróg i Transportu" in facts
    axe(page)

    # Back on the client's card the call and its case are in the history and among open cases.
    page.goto(f"/desk/clients/{city.client.uuid}/")
    history = page.locator("#history-h + .table-scroll table tbody tr").all_inner_texts()
    assert len(history) == 2
    assert "Dziura przed domem klienta" in history[0]
    assert case.number in history[0]
    assert case.number in page.locator("#cases-h + ul").inner_text()


def test_desk_main_actions_are_reachable_with_the_keyboard(
    page: Any, sign_in: SignIn, city: scenario.City, axe: Axe
) -> None:
    sign_in("konsultantka")
    page.goto("/desk/clients/")
    targets = {"/desk/clients/new/", "/desk/contacts/new/", "/desk/contacts/callbacks/"}
    reached: set[str] = set()
    page.keyboard.press("Tab")
    for _ in range(60):
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href in targets:
            reached.add(href)
            if reached == targets:
                break
        page.keyboard.press("Tab")
    assert reached == targets
    # Each action opens with Enter and its page passes axe.
    for href in sorted(targets):
        page.goto("/desk/clients/")
        page.locator(f"main a[href='{href}']").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{href}")
        assert page.get_by_role("heading", level=1).count() == 1
        axe(page)


@pytest.mark.parametrize(
    "path",
    [
        "/desk/clients/new/",
        "/desk/catalogue/",
        "/desk/catalogue/{service}/",
        "/desk/contacts/callbacks/new/?client={client}",
        "/desk/clients/{client}/edit/",
        "/desk/clients/{client}/merge/",
    ],
)
def test_first_line_screens_are_accessible(
    page: Any, sign_in: SignIn, city: scenario.City, axe: Axe, path: str
) -> None:
    sign_in("konsultantka")
    response = page.goto(path.format(client=city.client.uuid, service=city.pothole.uuid))
    assert response.status == 200
    assert page.get_by_role("heading", level=1).count() == 1
    axe(page)


def test_slash_focuses_the_service_catalogue_search(page: Any, sign_in: SignIn, city: scenario.City) -> None:
    sign_in("konsultantka")
    page.goto("/desk/catalogue/")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert scenario.focused(page)["id"] == "service-q"
    page.keyboard.type("wyrwa")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Dziura w jezdni").first.wait_for()

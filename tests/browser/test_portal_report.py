"""A resident reports a pothole on the public site: suggestions from the help pages appear while
they describe it; they fill the form with the keyboard, get the case number and open the status
page. Another resident finds the answer among the suggestions and files nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.models import Case
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from okienko.portal.models import Deflection
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]


@pytest.fixture
def city(make_user: Callable[..., User], settings: Any) -> scenario.City:
    settings.PORTAL_MIN_FILL_SECONDS = 0  # the robot types faster than any person
    c = scenario.city(make_user)
    knowledge_actions.create_article(
        actor=None,
        organisation=c.city,
        title="Jak zgłosić dziurę w jezdni",
        slug="dziura-w-jezdni",
        question="Gdzie zgłosić dziurę w jezdni?",
        body="<p>Dziury w jezdni naprawia Zarząd Dróg i Transportu w ciągu pięciu dni roboczych.</p>",
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
    )
    return c


def _describe(page: Any, axe: Axe, text: str) -> None:
    page.goto("/")
    axe(page)
    page.get_by_role("navigation", name="Nawigacja portalu").get_by_role("link", name="Zgłoś sprawę").click()
    page.wait_for_url("**/zglos/")
    axe(page)
    page.get_by_role("link", name="Drogi i chodniki").click()  # a category tile
    assert page.get_by_role("heading", level=2).first.inner_text().strip() == "Drogi i chodniki"
    page.get_by_role("link", name="Dziura w jezdni").click()
    page.wait_for_url(re.compile(r".*/zglos/[0-9a-f-]{36}/$"))
    axe(page)
    page.get_by_label("Czego dotyczy sprawa?").focus()
    page.keyboard.type(text)
    page.get_by_role("button", name="To odpowiada na moje pytanie").wait_for()
    titles = page.locator("#suggestions h3 a").all_text_contents()
    assert [t.split(" (")[0] for t in titles] == ["Jak zgłosić dziurę w jezdni"]
    axe(page)


def test_resident_reports_a_pothole_with_the_keyboard_and_follows_its_status(
    page: Any, city: scenario.City, axe: Axe
) -> None:
    _describe(page, axe, "Głęboka dziura w jezdni przy Piotrkowskiej")

    # Sending without the required answers lists the problems at the top, linked to the fields.
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Wyślij zgłoszenie", limit=80)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")
    assert scenario.focused(page)["id"] == "report-errors"
    summary = page.locator("#report-errors").inner_text()
    assert "Wielkość ubytku: To pole jest wymagane." in summary
    assert "W tej sprawie potrzebne jest miejsce" in summary
    axe(page)
    assert not Case.objects.exists()

    # Follow the summary's first link to the field, answer, then place the pin from the keyboard.
    page.keyboard.press("Tab")
    link = scenario.focused(page)
    assert link["tag"] == "a"
    scenario.tab_until(page, lambda f: f["id"] == "id_q_wielkosc", limit=80)
    page.keyboard.type("d")  # "duża (ponad 30 cm)"
    assert page.locator("#id_q_wielkosc").input_value() == "duza"
    scenario.tab_until(page, lambda f: f["id"] == "id_address")
    page.keyboard.type("Piotrkowska 104")
    scenario.tab_until(page, lambda f: f["id"] == "case-map")
    page.keyboard.press("Enter")  # drops the pin in the middle of the map
    assert page.locator("#f-latitude").input_value() != ""
    scenario.tab_until(page, lambda f: f["id"] == "id_name")
    page.keyboard.type("Anna Nowak")
    scenario.tab_until(page, lambda f: f["id"] == "id_consent")
    page.keyboard.press("Space")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Wyślij zgłoszenie")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zglos/przyjete")
    axe(page)

    case = Case.objects.get()
    assert (case.service, case.channel, case.answers, case.reporter_name) == (
        city.pothole,
        "web",
        {"wielkosc": "duza"},
        "Anna Nowak",
    )
    assert page.locator(".case-number").inner_text() == case.number
    page.get_by_role("link", name="Zobacz status zgłoszenia").click()
    page.wait_for_url(f"**/sprawy/{case.uuid}/")
    axe(page)
    facts = page.locator("dl.case-facts").inner_text()
    assert case.number in facts
    assert "Przekazane do właściwej komórki" in facts
    assert "Anna Nowak" not in page.content()


def test_resident_finds_the_answer_among_the_suggestions_and_files_nothing(
    page: Any, city: scenario.City, axe: Axe
) -> None:
    _describe(page, axe, "Gdzie zgłosić dziurę w jezdni")
    page.get_by_role("button", name="To odpowiada na moje pytanie").press("Enter")
    page.wait_for_url("**/zglos/dziekujemy**")
    assert page.get_by_role("heading", level=1).inner_text() == "Cieszymy się, że mogliśmy pomóc"
    axe(page)
    assert Deflection.objects.get().service == city.pothole
    assert not Case.objects.exists()

"""README's "the 1st-line desk", re-recorded at desktop (1366 px) and phone (390 px) sizes: a
consultant opens the client search (the menu item of Alt+Shift+1), finds the caller by a misspelt surname and by
the phone in another notation, reads the card, records a contact resolved at first contact, hands
a callback over and opens a case from the next contact (both carrying what was typed), finds a
service at intake by its everyday name and is told an inquiry is answered rather than registered,
and finally finds the new case by its number in the top bar's search box. Each page is checked
with axe and for sideways scroll, and asserted as a person sees it (issue 12, item 12)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.interactions.models import Callback, Interaction
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    c = scenario.city(make_user)
    Service.objects.create(
        organisation=c.city,
        code="harmonogram-odpadow",
        category=c.pothole.category,
        public_name="Harmonogram wywozu odpadów",
        keywords="śmieci odbiór wywóz",
        kind=Service.Kind.INQUIRY,
        responsible_unit=c.centre,
    )
    return c


def _checked(page: Any, axe: Axe) -> None:
    """What a person sees fits the screen (no sideways scroll; wide tables scroll in their box) and passes axe."""
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), f"{page.url} scrolls sideways"
    axe(page)


def _record_contact(page: Any, service: str, question: str, button: str) -> None:
    """Type the contact on the client card (service, question) and press one of its outcome buttons."""
    page.locator("#id_service").fill(service)
    page.locator("#id_question").fill(question)
    page.get_by_role("button", name=button, exact=True).click()


@pytest.mark.parametrize("size", SIZES)
def test_the_first_line_desk_journey(page: Any, sign_in: SignIn, city: scenario.City, axe: Axe, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("konsultantka")
    _checked(page, axe)

    # The menu item Alt+Shift+1 opens is the client search. (Headless Chromium does not act on
    # access keys sent through Playwright, so the link is followed from the keyboard instead.)
    clients = page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Klienci i kontakty")
    assert (clients.get_attribute("accesskey"), clients.get_attribute("aria-keyshortcuts")) == ("1", "Alt+Shift+1")
    clients.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/clients/")
    assert page.get_by_role("heading", level=1).count() == 1
    assert scenario.focused(page)["id"] == "client-q"
    _checked(page, axe)

    # The phone in another notation finds the client; so does the surname without Polish letters
    # and with a typo; ↓ moves to the result and Enter opens the card.
    page.keyboard.type("+48 601-234-567")
    results = page.locator("[data-results] a")
    results.first.wait_for()
    assert results.count() == 1
    assert city.client.number in results.first.inner_text()
    page.locator("#client-q").fill("")
    page.locator("#client-q").focus()
    page.keyboard.type("zolkiewsky")
    page.locator("[data-results] a", has_text="Żółkiewski").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert scenario.focused(page)["text"].startswith("Łukasz Żółkiewski")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/clients/{city.client.uuid}/")

    # The card: contact data with a dialable phone, consents, callbacks, the contact history.
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Łukasz Żółkiewski")
    assert city.client.number in heading
    phone = page.locator("#data-h").locator("xpath=..").get_by_role("link", name="601 234 567")
    assert phone.get_attribute("href").startswith("tel:")
    assert page.get_by_role("heading", name="Zgody").count() == 1
    assert "Brak oczekujących oddzwonień." in page.locator("#callbacks-h").locator("xpath=..").inner_text()
    assert "Harmonogram wywozu odpadów" in page.locator("#history-h + .table-scroll table").inner_text()
    _checked(page, axe)

    # 1) Resolved at first contact: back on the card, the contact is first in the history.
    question = "Kiedy odbiór gabarytów na Bałutach?"
    _record_contact(page, "harmonogram-odpadow", question, "Załatwione przy pierwszym kontakcie")
    page.get_by_text("Zarejestrowano kontakt.").wait_for()
    history = page.locator("#history-h + .table-scroll table tbody tr").all_inner_texts()
    assert "Kiedy odbiór gabarytów na Bałutach?" in history[0]
    answered = Interaction.objects.get(question="Kiedy odbiór gabarytów na Bałutach?")
    assert answered.outcome == "answered"

    # 2) Request a callback: the service and question become the reason, the client's phone the number.
    _record_contact(page, "dziura", "Chce wiedzieć, kiedy załatają dziurę", "Poproś o oddzwonienie")
    page.wait_for_url("**/desk/contacts/callbacks/new/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Prośba o oddzwonienie lub przekazanie"
    reason = page.get_by_label("W jakiej sprawie oddzwonić").input_value()
    assert reason == "Dziura w jezdni\nChce wiedzieć, kiedy załatają dziurę"
    assert page.get_by_label("Numer do oddzwonienia").input_value() == "601 234 567"
    _checked(page, axe)
    page.get_by_role("button", name="Przekaż").click()
    page.wait_for_url(f"**/desk/clients/{city.client.uuid}/")
    page.get_by_text("Przekazano prośbę o oddzwonienie.").wait_for()
    callbacks = page.locator("#callbacks-h").locator("xpath=..").inner_text()
    assert "Chce wiedzieć, kiedy załatają dziurę" in callbacks
    assert Callback.objects.filter(client=city.client).count() == 1

    # 3) Open a case: intake starts from the contact's service and question.
    _record_contact(page, "dziura", "Dziura przed blokiem, Piotrkowska 104", "Załóż sprawę")
    page.wait_for_url("**/desk/cases/new/**")
    assert page.get_by_role("heading", level=2).first.inner_text() == "Dziura w jezdni"
    assert page.locator("#f-description").input_value() == "Dziura przed blokiem, Piotrkowska 104"
    _checked(page, axe)
    page.locator("#q-wielkosc").select_option("duza")
    page.locator("#case-map").focus()
    page.keyboard.press("Enter")  # the pin in the middle of the map
    assert page.locator("#f-latitude").input_value() != ""
    page.locator("#f-address").fill("Piotrkowska 104")
    page.get_by_role("button", name="Załóż sprawę").click()
    page.wait_for_url(re.compile(r".*/desk/cases/[0-9a-f-]{36}/$"))
    case = Case.objects.get(client=city.client)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert case.number in heading
    assert "przydzielona" in heading
    assert "Zarząd Dróg i Transportu" in page.locator("dl.case-facts").inner_text()
    _checked(page, axe)

    # At intake a service is found by its everyday name; an inquiry says it is not registered.
    page.goto(f"/desk/cases/new/?client={city.client.uuid}")
    page.get_by_label("Znajdź usługę").fill("wyrwa")
    page.get_by_label("Znajdź usługę").press("Enter")
    page.get_by_role("link", name="Dziura w jezdni").wait_for()
    page.get_by_label("Znajdź usługę").fill("wywóz śmieci")
    page.get_by_label("Znajdź usługę").press("Enter")
    found = page.locator(".service-results li", has_text="Harmonogram wywozu odpadów")
    found.wait_for()
    assert "zapytanie — udzielana odpowiedź, bez rejestracji sprawy" in found.inner_text()
    _checked(page, axe)
    found.get_by_role("link").click()
    notice = page.locator("section.notice")
    notice.wait_for()
    assert "odpowiada się na nie przy pierwszym kontakcie" in notice.inner_text()
    assert notice.get_by_role("link", name="Odpowiedź z bazy wiedzy").count() == 1
    assert page.locator("#intake-form").count() == 0
    _checked(page, axe)

    # The top bar's search box finds the case by its number in another notation.
    search = page.get_by_label("Szukaj klientów i spraw")
    search.fill(case.number.replace("/", "-").lower())
    search.press("Enter")
    page.wait_for_url(f"**/desk/cases/{case.uuid}/")
    assert case.number in page.get_by_role("heading", level=1).inner_text()
    _checked(page, axe)

"""The public pages in the states a resident reaches after typing something — search results, a
chosen category and place, a form with its error summary, a look-up that found nothing, a link that
was sent or no longer works, the look-up limit and a page that does not exist: at 390 and 320 px
none scrolls sideways or breaks a button mid-word, and axe finds nothing (issue 12, item 9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser import test_phone
from tests.browser.test_phone import _check

pytestmark = pytest.mark.django_db(transaction=True)
world = test_phone.world  # the same small city, report and article as every public page's walk
LONG_EMAIL = "bardzo.dlugi.adres.mailowy.mieszkanca@example.org"

LONG_ADDRESS = "Aleja Marszałka Józefa Piłsudskiego 135 lok. 12, Łódź-Widzew, przy wjeździe na parking"


def _shown_as_200(seen: list[int]) -> Callable[[Any], None]:
    def handle(route: Any) -> None:
        response = route.fetch()
        seen.append(response.status)
        route.fulfill(response=response, status=200)

    return handle


def test_public_pages_after_typing_fit_a_phone(page: Any, world: dict[str, Any], axe: Any, settings: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    service = world["service_id"]
    for url, what in [
        ("/zglos/?q=dziura", "search results"),
        ("/zglos/?q=zzzznic", "search without results"),
        ("/zglos/?kategoria=ldz/drogi", "a category"),
        (f"/zglos/?lat=51.7592&lon=19.456&adres={LONG_ADDRESS}", "matters at a place"),
        (f"/zglos/miejsce/?lat=51.7592&lon=19.456&adres={LONG_ADDRESS}", "the place page"),
        (f"/zglos/{service}/?lat=51.7592&lon=19.456&adres={LONG_ADDRESS}", "the form with a place carried"),
    ]:
        assert page.goto(url).status == 200, url
        _check(page, axe, what)

    # Error answers (the browser would log them as console errors: shown as 200 after the check).
    for url, status, what in [
        ("/sprawy/moje/to-nie-jest-link/", 400, "an invalid my-reports link"),
        ("/nie-ma-takiej-strony/", 404, "not found"),
    ]:
        seen: list[int] = []
        page.route(f"**{url}", _shown_as_200(seen))
        page.goto(url)
        assert seen == [status], url
        _check(page, axe, what)

    # The report form sent empty: the error summary at the top.
    page.goto(f"/zglos/{service}/")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.wait_for_selector("[data-error-summary]")
    _check(page, axe, "report errors")

    # The look-up: nothing found, then the link requested.
    page.goto("/sprawy/sprawdz/")
    page.get_by_label("Numer zgłoszenia").fill("LDZ/2026/999999")
    page.get_by_label("E-mail lub telefon podany w zgłoszeniu").fill(LONG_EMAIL)
    page.get_by_role("button", name="Pokaż status").click()
    page.locator("#lookup-not-found").wait_for()
    _check(page, axe, "look-up not found")
    page.get_by_label("Twój adres e-mail").fill(LONG_EMAIL)
    page.get_by_role("button", name="Wyślij mi link").click()
    page.get_by_role("heading", name="Sprawdź pocztę").wait_for()
    _check(page, axe, "link sent")

    # The look-up limit (the browser would log the 429 as a console error: show it as 200).
    settings.PORTAL_RATE_LIMITS = {"lookup": 0}
    page.route("**/sprawy/sprawdz/", lambda route: route.fulfill(response=route.fetch(), status=200))
    page.goto("/sprawy/sprawdz/")
    page.get_by_label("Numer zgłoszenia").fill("LDZ/2026/999999")
    page.get_by_label("E-mail lub telefon podany w zgłoszeniu").fill("anna@example.org")
    page.get_by_role("button", name="Pokaż status").click()
    page.get_by_role("heading", level=1).wait_for()
    assert "/sprawy/sprawdz/" in page.url
    _check(page, axe, "look-up limited")


def test_every_public_page_passes_axe_at_desktop_width(page: Any, world: dict[str, Any], axe: Any) -> None:
    """The phone walk runs axe at 320 px; "Done when" asks for 1366 px too."""
    page.set_viewport_size({"width": 1366, "height": 900})
    urls = test_phone._urls(world)
    assert len(urls) >= 8
    for url in urls:
        assert page.goto(url).status == 200, url
        assert page.evaluate(test_phone.NO_SIDEWAYS_SCROLL), url
        axe(page)

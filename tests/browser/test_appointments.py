"""Booking a visit at the county office in a real browser, by keyboard only, at 1366 and 390 px
(issue 19, item 6): a job seeker signs in with the client number and PIN, opens "My visits at the
office", picks the kind of visit, the day and the time, books, then cancels. Every step passes axe
and nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.jobs.appointments.models import Appointment, Status
from tests.jobs.appointment_helpers import schedule_for

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PIN = "4826"


@pytest.fixture
def seeker(region: Organisation) -> Client:
    office = Organisation.objects.get(code="pup-a")
    schedule_for(office)
    person = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        phones=["600100200"],
        status=Client.Status.JOB_SEEKER,
    )
    client_actions.set_pin(actor=None, client=person, pin=PIN)
    return person


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


def _tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with the Tab key")


@pytest.mark.parametrize("size", SIZES)
def test_a_job_seeker_books_and_cancels_a_visit_by_keyboard(page: Any, seeker: Client, axe: Axe, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/konto/logowanie/?next=/konto/wizyty/")
    _tab_to(page, "#id_pin-number")
    page.keyboard.type(seeker.number)
    _tab_to(page, "#id_pin-pin")
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/konto/wizyty/") and "logowanie" not in url)
    _checked(page, axe)

    _tab_to(page, "a[href='/konto/wizyty/umow/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/wizyty/umow/")
    _checked(page, axe)
    # 1. The kind of visit: Tab into the radio group, arrows move, Space chooses.
    _tab_to(page, "input[name=visit_type]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # "Doradztwo zawodowe"
    _tab_to(page, "form:has(input[name=visit_type]) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**visit_type=*")
    _checked(page, axe)
    # 2. The day: the last one offered (more than 24 hours ahead, so it can be cancelled online).
    _tab_to(page, "#id_day_choice")
    page.keyboard.press("End")
    _tab_to(page, "form:has(#id_day_choice) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**day=*")
    _checked(page, axe)
    # 3. The time: the first free one.
    _tab_to(page, "input[name=start]")
    page.keyboard.press("Space")
    _tab_to(page, "form:has(input[name=start]) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/wizyty/?umowiono=1")
    assert "Wizyta jest umówiona" in page.locator("main [role=status]").first.inner_text()
    _checked(page, axe)
    appointment = Appointment.objects.get(client=seeker)
    assert appointment.visit_type.name == "Doradztwo zawodowe"

    _tab_to(page, "form[action$='/odwolaj/'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/wizyty/?odwolano=1")
    _checked(page, axe)
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED

"""A county office's supervisor keeps the appointment schedule in a real browser, by keyboard, at
1366 and 390 px (issue 19, item 6): the list, the schedule's page, weekly hours typed as ranges,
a closed day, the form of a new kind of visit. Every page passes axe and
nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.jobs.appointments.models import ScheduleException, WeeklyHours
from tests.browser.conftest import PASSWORD
from tests.jobs.appointment_helpers import schedule_for

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def boss(region: Organisation, make_user: Callable[..., User]) -> User:
    office = Organisation.objects.get(code="pup-a")
    schedule_for(office)
    return make_user("kierownik", roles=[(office, Role.SUPERVISOR)], password=PASSWORD)


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


def _tab_to(page: Any, selector: str, *, limit: int = 150) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with the Tab key")


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_keeps_the_schedule_by_keyboard(
    page: Any, boss: User, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in(boss.username)
    page.goto("/desk/appointments/schedules/")
    _checked(page, axe)
    _tab_to(page, "a[href='/desk/appointments/schedules/pup-a/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/appointments/schedules/pup-a/")
    _checked(page, axe)

    # Two ranges on Monday, typed into the Monday field (an overlap is refused: unit tests).
    _tab_to(page, "#id_day_0")
    page.keyboard.press("Control+a")
    page.keyboard.type("8:00-12:00 x2, 13:00-16:00")
    with page.expect_navigation(url="**/desk/appointments/schedules/pup-a/"):
        page.keyboard.press("Enter")
    assert WeeklyHours.objects.filter(schedule__office__code="pup-a", weekday=0).count() == 2
    _checked(page, axe)

    # A closed day.
    _tab_to(page, "#id_day")
    page.fill("#id_day", "2030-01-02")  # the native date picker's typing order follows the locale
    _tab_to(page, "#id_reason")
    page.keyboard.type("Dzień wolny za święto")
    with page.expect_navigation(url="**/desk/appointments/schedules/pup-a/"):
        page.keyboard.press("Enter")
    assert ScheduleException.objects.filter(schedule__office__code="pup-a", closed=True).exists()
    _checked(page, axe)
    page.goto("/desk/appointments/schedules/pup-a/visit-types/new/")
    _checked(page, axe)

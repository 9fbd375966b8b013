"""Trainings and job fairs in a real browser, by keyboard, at desktop and phone widths: a visitor
filters the trainings and opens one, registers for a job fair as a guest; a county-office
consultant opens the desk's list, an item and its registrations. Every page passes axe without
sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.jobs.events.models import Registration
from tests.browser.conftest import PASSWORD
from tests.jobs.events_helpers import event, training

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def office(region: Organisation, make_user: Callable[..., User], settings: Any) -> Organisation:
    settings.PORTAL_MIN_FILL_SECONDS = 0
    pup = Organisation.objects.get(code="pup-a")
    make_user("organizator", roles=[(pup, Role.CONSULTANT)], password=PASSWORD)
    training(pup, title="Operator wózków widłowych z egzaminem UDT", occupations=["834401"])
    training(region, title="Spawanie metodą MAG", occupations=["721204"], funding="esf")
    event(pup, title="Targi pracy w Białymstoku")
    return pup


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_visitor_finds_a_training_and_registers_for_a_job_fair(
    page: Any, office: Organisation, axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/szkolenia/")
    _checked(page, axe)
    page.get_by_label("Tytuł").fill("spawanie")
    page.keyboard.press("Enter")
    page.wait_for_url("**/szkolenia/?*")
    link = page.get_by_role("link", name="Spawanie metodą MAG")
    link.focus()
    _checked(page, axe)
    page.keyboard.press("Enter")
    page.wait_for_url("**/szkolenia/*/")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    _checked(page, axe)
    page.goto("/wydarzenia/")
    _checked(page, axe)
    page.get_by_role("link", name="Targi pracy w Białymstoku").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/wydarzenia/*/")
    _checked(page, axe)
    page.locator("#id_name").fill("Jan Kowalski")
    page.locator("#id_email").fill(f"jan.{size}@example.org")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Zapisz się").click()
    page.wait_for_load_state()
    assert page.locator("role=status").first.is_visible()
    _checked(page, axe)
    assert Registration.objects.filter(email=f"jan.{size}@example.org").exists()


@pytest.mark.parametrize("size", SIZES)
def test_a_consultant_sees_the_office_items_and_registrations(
    page: Any, office: Organisation, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("organizator")
    page.goto("/desk/jobs/events/")
    _checked(page, axe)
    page.get_by_role("link", name="Targi pracy w Białymstoku").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/jobs/events/events/*/")
    _checked(page, axe)
    page.get_by_role("link", name="zobacz zgłoszenia").click()
    page.wait_for_url("**/registrations/")
    _checked(page, axe)
    page.goto("/desk/jobs/events/trainings/new/")
    _checked(page, axe)

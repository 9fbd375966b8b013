"""Job offers in a real browser, by keyboard, at desktop and phone widths: a job seeker searches
the public offers with filters and opens one; a county-office consultant opens the moderation
queue, reads an unverified employer's offer with its hints and approves it. Every page passes
axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.jobs import actions
from tests.browser.conftest import PASSWORD
from tests.jobs.helpers import TEST, employer, published, values

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def office(region: Organisation, make_user: Callable[..., User]) -> Organisation:
    pup = Organisation.objects.get(code="pup-a")
    make_user("moderator", roles=[(pup, Role.CONSULTANT)], password=PASSWORD)
    published(pup, description="<p>Przewóz towarów. <strong>Prawo jazdy C+E.</strong></p>")
    published(pup, title="Magazynier / Magazynierka", occupation_code="432103", place_locality="Łomża")
    offer = actions.create_offer(
        actor=TEST, employer=employer(pup, verified=False), values=values(title="Recepcjonistka")
    )
    actions.submit_offer(actor=TEST, offer=offer)
    return pup


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_job_seeker_searches_offers_with_the_keyboard(page: Any, office: Organisation, axe: Axe, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto("/oferty/")
    _checked(page, axe)
    page.get_by_label("Jaka praca").fill("kierowcow")
    page.keyboard.press("Enter")
    page.wait_for_url("**/oferty/?*")
    page.get_by_role("link", name="Kierowca samochodu ciężarowego (k/m)").focus()
    assert page.locator("role=status").first.inner_text().startswith("Znaleziono 1")
    _checked(page, axe)
    page.keyboard.press("Enter")
    page.wait_for_url("**/oferty/*/")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    _checked(page, axe)


@pytest.mark.parametrize("size", SIZES)
def test_a_consultant_moderates_with_the_keyboard(
    page: Any, office: Organisation, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("moderator")
    page.goto("/desk/jobs/moderation/")
    _checked(page, axe)
    page.get_by_role("link", name="Recepcjonistka").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/jobs/offers/*/")
    assert "nazwa stanowiska nie jest neutralna płciowo" in page.locator("main").inner_text()
    _checked(page, axe)
    page.get_by_label("zatwierdź i opublikuj").check()
    page.get_by_label("zawód (KZiS)").fill("422601")
    page.get_by_role("button", name="Zapisz decyzję").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/jobs/moderation/")
    _checked(page, axe)

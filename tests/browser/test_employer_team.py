"""Several users per employer in a real browser (issue 19, item 1): the owner reaches the team page
from the employer's account, invites a colleague by keyboard, the colleague opens the e-mailed link,
sets a password, signs in and sees the team read-only; the owner switches the colleague off; an
expired link shows a readable page. Every page passes axe at 1366 and at 390 px, without sideways
scroll on the phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail

from okienko.accounts.models import Organisation, User
from okienko.core import clock
from okienko.jobs.models import EmployerInvitation, EmployerMembership
from okienko.jobs.seekers.models import PortalAccount
from tests.browser.test_labour_portal_story import checked, tab_to, type_into
from tests.jobs.helpers import employer

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
OWNER_PASSWORD = "Hurtownia-haslo-2026!"
COLLEAGUE_PASSWORD = "Rekruterka-haslo-2026!"


@pytest.fixture
def owner(region: Organisation, settings: Any) -> PortalAccount:
    settings.SITE_URL = "http://testserver"
    office = Organisation.objects.get(code="pup-a")
    company = employer(office, name="Hurtownia Podlasie Sp. z o.o.")
    user = User.objects.create(username="portal-team-owner")
    account = PortalAccount.objects.create(
        user=user,
        kind=PortalAccount.Kind.EMPLOYER,
        email="kadry@hurtownia-podlasie.pl",
        password_hash=make_password(OWNER_PASSWORD),
        email_verified_at=clock.now(),
    )
    EmployerMembership.objects.create(employer=company, user=user, role=EmployerMembership.Role.OWNER)
    return account


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/konto/logowanie/")
    page.locator("#id_email-email").fill(email)
    page.locator("#id_email-password").fill(password)
    page.locator("form:has(#id_email-email) button[type=submit]").click()
    page.wait_for_url("**/konto/**")


def test_the_employer_s_team(browser: Any, page: Any, live_server: Any, owner: PortalAccount, axe: Axe) -> None:
    sign_in(page, "kadry@hurtownia-podlasie.pl", OWNER_PASSWORD)
    page.locator("a[href='/konto/zespol/']").click()
    page.wait_for_url("**/konto/zespol/")
    checked(page, axe, "team (owner)")

    # Keyboard only: Tab to the e-mail field, type, Tab to the role (recruiter by default), Enter.
    type_into(page, "#id_email", "rekruterka@hurtownia-podlasie.pl")
    tab_to(page, "#id_role")
    tab_to(page, "form[action='/konto/zespol/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/zespol/?done=invited")
    checked(page, axe, "team with an invitation")
    assert "rekruterka@hurtownia-podlasie.pl" in page.content()
    [message] = [m for m in mail.outbox if "rekruterka@hurtownia-podlasie.pl" in m.to]
    found = re.search(r"https?://\S+?(/konto/zaproszenie/\S+/)", str(message.body))
    assert found is not None, message.body
    link = found.group(1)

    # The colleague, in another browser context, sets a password.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="pl-PL")
    other = context.new_page()
    other.goto(link)
    checked(other, axe, "invitation")
    other.locator("#id_password").fill(COLLEAGUE_PASSWORD)
    other.locator("#id_password_again").fill(COLLEAGUE_PASSWORD)
    other.locator("form:has(#id_password) button[type=submit]").click()
    other.locator("h1").wait_for()
    checked(other, axe, "joined")
    sign_in(other, "rekruterka@hurtownia-podlasie.pl", COLLEAGUE_PASSWORD)
    other.goto("/konto/zespol/")
    checked(other, axe, "team (recruiter)")
    assert other.locator("#id_email").count() == 0
    assert other.locator("form[action*='/wylacz/']").count() == 0
    context.close()

    # The owner switches the colleague off.
    page.goto("/konto/zespol/")
    page.locator("form[action*='/wylacz/'] button").click()
    page.wait_for_url("**/konto/zespol/?done=off")
    checked(page, axe, "member switched off")
    colleague = PortalAccount.objects.get(email="rekruterka@hurtownia-podlasie.pl")
    assert not EmployerMembership.objects.get(user=colleague.user).active

    # An expired invitation: a readable page (answered 410; shown as 200 so the console stays clean).
    page.goto("/konto/zespol/")
    type_into(page, "#id_email", "spozniona@hurtownia-podlasie.pl")
    page.locator("form[action='/konto/zespol/'] button[type=submit]").click()
    page.wait_for_url("**/konto/zespol/?done=invited")
    late = next(m for m in mail.outbox if "spozniona@hurtownia-podlasie.pl" in m.to)
    late_link = re.search(r"https?://\S+?(/konto/zaproszenie/\S+/)", str(late.body))
    assert late_link is not None
    EmployerInvitation.objects.filter(email="spozniona@hurtownia-podlasie.pl").update(expires_at=clock.now())
    page.route("**/konto/zaproszenie/**", lambda route: route.fulfill(response=route.fetch(), status=200))
    page.goto(late_link.group(1))
    checked(page, axe, "expired invitation")
    assert page.get_by_role("heading", level=1).count() == 1
    page.unroute("**/konto/zaproszenie/**")

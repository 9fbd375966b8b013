"""Two-step verification on the portal in a real browser (issue 19, item 1), by keyboard, at
desktop and phone widths: a job seeker turns it on with a code from the app, signs out, signs in
with the number and PIN and then the code. Every page passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts.models import Organisation
from okienko.clients import actions as client_actions
from okienko.clients.models import Client

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PIN = "7913"


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(page: Any, number: str) -> None:
    page.goto("/konto/logowanie/")
    page.locator("#id_pin-number").fill(number)
    page.locator("#id_pin-pin").fill(PIN)
    page.locator("#id_pin-pin").press("Enter")


@pytest.mark.parametrize("size", SIZES)
def test_a_job_seeker_turns_on_two_step_verification_and_signs_in_with_a_code(
    page: Any, region: Organisation, axe: Axe, size: str
) -> None:
    office = Organisation.objects.get(code="pup-a")
    seeker = client_actions.register_client(
        actor=None, home_office=office, first_name="Anna", last_name="Zielińska", status=Client.Status.JOB_SEEKER
    )
    client_actions.set_pin(actor=None, client=seeker, pin=PIN)
    page.set_viewport_size(SIZES[size])
    _sign_in(page, seeker.number)
    page.wait_for_url("**/konto/")
    page.get_by_role("link", name="Weryfikacja dwuetapowa").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/weryfikacja-dwuetapowa/")
    _checked(page, axe)
    page.get_by_role("button", name="Skonfiguruj weryfikację dwuetapową").focus()
    page.keyboard.press("Enter")
    page.get_by_role("img", name="Kod QR z kluczem dla aplikacji uwierzytelniającej").wait_for()
    _checked(page, axe)
    device = TOTPDevice.objects.get(user__portal_account__client=seeker, confirmed=False)
    page.get_by_label("Sześciocyfrowy kod z aplikacji").fill(_code(device))
    page.get_by_label("Sześciocyfrowy kod z aplikacji").press("Enter")
    page.get_by_role("status").wait_for()
    _checked(page, axe)

    page.goto("/konto/")
    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(lambda url: "/konto" not in url)  # signed out, on the home page
    _sign_in(page, seeker.number)
    page.wait_for_url("**/konto/logowanie/kod/")
    _checked(page, axe)
    device.refresh_from_db()
    device.last_t = -1  # the test's clock does not move on by 30 s: let the same code count again
    device.save(update_fields=["last_t"])
    page.get_by_label("Sześciocyfrowy kod z aplikacji").fill(_code(device))
    page.get_by_label("Sześciocyfrowy kod z aplikacji").press("Enter")
    page.wait_for_url("**/konto/")
    assert seeker.number in page.locator("main").inner_text()

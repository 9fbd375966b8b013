"""Issue 19's "Done when" end to end in a real browser: a job seeker signs in with the client number
and PIN and builds a CV by keyboard only, allows employers to find it and saves a search with an
SMS alert; an employer registers with a NIP and posts an offer; a county-office moderator verifies
the employer and approves the offer with the suggested KZiS code in the desk; the alert SMS lands in
the file gateway's outbox; the employer finds the candidate, asks for contact, the candidate
accepts and the employer sees the contact details. Every page visited passes axe at 1366 and at
390 px, without sideways scroll on the phone."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.jobs.alerts.models import SavedSearch
from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.seekers.models import ContactRequest
from okienko.jobs.states import EmployerStatus, OfferStatus
from tests.browser.conftest import PASSWORD
from tests.jobs.helpers import new_nip
from tests.notifications.conftest import run_workers

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
WIDTHS = (1366, 390)
PIN = "7913"
EMPLOYER_PASSWORD = "Hurtownia-haslo-2026!"
NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
# What sticks out on the right (named in the failure message).
OVERFLOWING = """() => [document.scrollingElement.scrollWidth, ...[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll')))
  .slice(0, 8)
  .map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)]"""


@pytest.fixture
def story(region: Organisation, make_user: Callable[..., User], settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.VAR_DIR = tmp_path
    settings.OKIENKO_SMS_GATEWAY = "file"
    office = Organisation.objects.get(code="pup-a")
    make_user("moderator", roles=[(office, Role.CONSULTANT)], password=PASSWORD)
    seeker = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        emails=["anna.zielinska@example.org"],
        phones=["600100200"],
        status=Client.Status.JOB_SEEKER,
    )
    client_actions.set_pin(actor=None, client=seeker, pin=PIN)
    return {"office": office, "seeker": seeker, "sms": tmp_path / "sms" / "outbox"}


def checked(page: Any, axe: Axe, what: str) -> None:
    """axe at a desktop and at a phone width; nothing scrolls sideways on the phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{what} scrolls sideways at {width} px: {page.evaluate(OVERFLOWING)}"
        axe(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (it is reachable by keyboard)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def sign_in_with_pin(page: Any, axe: Axe, number: str) -> None:
    """Keyboard only: Tab to the client number and the PIN, Enter sends the form."""
    page.goto("/konto/logowanie/")
    checked(page, axe, "sign-in")
    type_into(page, "#id_pin-number", number)
    type_into(page, "#id_pin-pin", PIN)
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/")


def sent_sms(outbox: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(outbox.glob("*.json"))] if outbox.exists() else []


def test_the_labour_portal_story(browser: Any, page: Any, live_server: Any, story: dict[str, Any], axe: Axe) -> None:
    seeker: Client = story["seeker"]
    office: Organisation = story["office"]

    # --- the job seeker: sign in with the client number + PIN, by keyboard -------------------
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto("/")
    checked(page, axe, "home")
    sign_in_with_pin(page, axe, seeker.number)
    assert seeker.number in page.locator("main").inner_text()
    checked(page, axe, "my matters")

    # --- the CV, keyboard only ----------------------------------------------------------------
    page.get_by_role("link", name="Moje CV i kto może je znaleźć").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/cv/")
    checked(page, axe, "CV")
    type_into(page, "#id_headline", "Magazynier z uprawnieniami na wózki widłowe")
    type_into(page, "#id_main_occupation", "432103")
    type_into(page, "#id_experience", "Magazynier; 432103; 5; Hurtownia Podlasie")
    type_into(page, "#id_education", "Technikum logistyczne w Białymstoku")
    type_into(page, "#id_skills", "wózki widłowe, obsługa skanera")
    type_into(page, "#id_languages", "angielski B1")
    tab_to(page, "#id_driving_licences_1")  # B
    page.keyboard.press("Space")
    type_into(page, "#id_areas", "20")
    tab_to(page, "#id_working_time")
    page.keyboard.press("ArrowDown")  # full time
    tab_to(page, "form:not([action]) button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konto/cv/?saved=1")
    assert page.locator("#id_main_occupation").input_value() == "432103"
    assert page.locator("#id_driving_licences_1").is_checked()
    checked(page, axe, "CV saved")

    # --- the consent: employers may find the CV (off by default) ------------------------------
    assert "Pracodawcy nie mogą znaleźć Twojego CV." in page.locator("main").inner_text()
    page.get_by_role("button", name="Zgadzam się: zweryfikowani pracodawcy mogą znaleźć moje CV").click()
    page.wait_for_url("**/konto/cv/")
    assert "Pracodawcy mogą znaleźć Twoje CV" in page.locator("main").inner_text()
    checked(page, axe, "CV with consent")

    # --- a saved search with an SMS alert -----------------------------------------------------
    page.goto("/konto/alerty/")
    checked(page, axe, "alerts")
    page.get_by_label("Nazwa wyszukiwania").fill("Magazyn")
    page.get_by_label("Jaka praca").fill("magazynier")
    page.locator("#id_by_sms").check()
    page.locator("form:has(#id_by_sms) button[type=submit]").click()
    page.wait_for_url("**/konto/alerty/?saved=1")
    assert "Magazyn" in page.locator("main").inner_text()
    checked(page, axe, "alert saved")
    page.goto("/konto/oferty-dla-mnie/")
    checked(page, axe, "offers for me")
    page.goto("/konto/")
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/")

    # --- the employer registers with a NIP ----------------------------------------------------
    nip = new_nip()
    page.goto("/konto/rejestracja/pracodawca/")
    checked(page, axe, "employer registration")
    page.locator("#id_company").fill("Hurtownia Podlasie Sp. z o.o.")
    page.locator("#id_nip").fill(f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}")
    page.locator("#id_locality").fill("Białystok")
    page.locator("#id_teryt_code").fill("2061011")
    page.locator("#id_office").select_option(label=office.name)
    page.locator("#id_first_name").fill("Jan")
    page.locator("#id_last_name").fill("Kowalski")
    page.locator("#id_email").fill("kadry@hurtownia-podlasie.pl")
    page.locator("#id_password").fill(EMPLOYER_PASSWORD)
    page.get_by_role("button", name="Załóż konto").click()
    page.get_by_role("heading", name="Sprawdź pocztę").wait_for()
    checked(page, axe, "registered")
    [message] = [m for m in mail.outbox if "kadry@hurtownia-podlasie.pl" in m.to]
    link = re.search(r"https?://\S+/konto/potwierdz/\S+/", message.body)
    assert link is not None, message.body
    page.goto(link.group(0).split("/konto/", 1)[1].join(["/konto/", ""]))
    checked(page, axe, "e-mail confirmed")
    employer = Employer.objects.get(nip=nip)
    assert employer.status != EmployerStatus.VERIFIED

    page.goto("/konto/logowanie/")
    page.locator("#id_email-email").fill("kadry@hurtownia-podlasie.pl")
    page.locator("#id_email-password").fill(EMPLOYER_PASSWORD)
    page.locator("form:has(#id_email-email) button[type=submit]").click()
    page.wait_for_url("**/konto/")
    checked(page, axe, "employer home")
    # Not verified yet: the candidate search answers 403 (shown as 200 so the console stays clean).
    page.route("**/konto/kandydaci/", lambda route: route.fulfill(response=route.fetch(), status=200))
    page.goto("/konto/kandydaci/")
    checked(page, axe, "candidates before verification")
    assert page.get_by_role("heading", level=1).count() == 1
    page.unroute("**/konto/kandydaci/")

    # --- the employer posts an offer (the classifier suggests the occupation) -----------------
    page.goto("/konto/oferty/nowa/")
    checked(page, axe, "new offer")
    page.locator("#id_title").fill("Magazynier / Magazynierka")
    page.locator("#id_description").fill("Przyjmowanie i wydawanie towaru w magazynie, obsługa wózka widłowego.")
    page.get_by_role("button", name="Podpowiedz zawód").click()
    page.wait_for_load_state()
    checked(page, axe, "offer with suggestions")
    suggested = page.locator("section[aria-labelledby=sugg-h] li strong").first.inner_text().strip()
    assert re.fullmatch(r"\d{6}", suggested), suggested
    today = dt.date.today()
    page.locator("#id_occupation_code").fill(suggested)
    page.locator("#id_place_teryt").fill("2061011")
    page.locator("#id_place_locality").fill("Białystok")
    page.locator("#id_posts").fill("2")
    page.locator("#id_contract_type").select_option("employment_indefinite")
    page.locator("#id_pay_min").fill("5200")
    page.locator("#id_pay_max").fill("6000")
    page.locator("#id_valid_from").fill(today.isoformat())
    page.locator("#id_valid_until").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Zapisz i wyślij do powiatowego urzędu pracy do moderacji").click()
    page.wait_for_load_state()
    assert "saved=1" in page.url, page.locator(".has-error").all_inner_texts()
    checked(page, axe, "offer sent")
    offer = JobOffer.objects.get(employer=employer)
    assert offer.status == OfferStatus.SUBMITTED
    page.goto("/konto/oferty/")
    checked(page, axe, "my offers")

    # --- the county office: verify the employer, approve the offer with the suggested code ----
    desk = browser.new_context(base_url=live_server.url, locale="pl-PL", bypass_csp=True).new_page()
    desk.set_viewport_size({"width": WIDTHS[0], "height": 900})
    desk.goto("/accounts/login/")
    desk.get_by_label("Nazwa użytkownika").fill("moderator")
    desk.get_by_label("Hasło").fill(PASSWORD)
    desk.get_by_role("button", name="Zaloguj się").click()
    desk.wait_for_url("**/desk/**")
    desk.goto("/desk/jobs/employers/")
    checked(desk, axe, "desk employers")
    row = desk.locator("tr", has_text=nip)
    row.locator("select").select_option(EmployerStatus.VERIFIED)
    row.get_by_role("button", name="Zapisz").click()
    desk.wait_for_url("**/desk/jobs/employers/")
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.VERIFIED
    desk.goto("/desk/jobs/moderation/")
    checked(desk, axe, "moderation queue")
    desk.get_by_role("link", name="Magazynier / Magazynierka").click()
    desk.wait_for_url("**/desk/jobs/offers/*/")
    checked(desk, axe, "offer in moderation")
    assert suggested in desk.locator("main").inner_text()
    desk.get_by_label("zatwierdź i opublikuj").check()
    assert desk.get_by_label("zawód (KZiS)").input_value() == suggested
    desk.get_by_role("button", name="Zapisz decyzję").click()
    desk.wait_for_url("**/desk/jobs/moderation/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.occupation_code == suggested
    desk.context.close()

    # --- the alert SMS in the file gateway's outbox (sent in daytime: 21:00-8:00 are quiet) ---
    noon = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(11, 0), tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=True):
        run_workers()
    [sms] = sent_sms(story["sms"])
    assert sms["to"] == "+48600100200"
    assert "Magazynier" in sms["text"]
    # The e-mail alert's unsubscribe link only asks (a mail scanner opening it changes nothing).
    [alert_mail] = [m for m in mail.outbox if "anna.zielinska@example.org" in " ".join(m.to)]
    unsubscribe = re.search(r"/alerty/wypisz/[^/\s]+/", alert_mail.body)
    assert unsubscribe is not None
    page.goto(unsubscribe.group(0))
    checked(page, axe, "unsubscribe confirmation")
    assert page.get_by_role("button", name="Wyłącz te powiadomienia").count() == 1
    assert SavedSearch.objects.get(name="Magazyn").active
    # The accessibility statement, from the footer of every portal page.
    page.get_by_role("link", name="Deklaracja dostępności").click()
    page.wait_for_url("**/deklaracja-dostepnosci/")
    checked(page, axe, "accessibility statement")

    # --- the verified employer finds the candidate and asks for contact -----------------------
    page.goto("/konto/kandydaci/")
    checked(page, axe, "candidate search")
    page.get_by_label("Zawód (kod KZiS lub jego początek)").fill("4321")
    page.get_by_role("button", name="Szukaj").click()
    page.wait_for_url("**/konto/kandydaci/?*")
    checked(page, axe, "candidates found")
    page.locator("main a[href*='/konto/kandydaci/']").first.click()
    page.wait_for_url("**/konto/kandydaci/*/")
    checked(page, axe, "candidate")
    candidate_url = page.url
    assert "Zielińska" not in page.locator("main").inner_text()
    page.get_by_label("Wiadomość do kandydata").fill("Zapraszamy na rozmowę w sprawie pracy w magazynie.")
    page.get_by_role("button", name="Poproś o kontakt").click()
    page.locator("[role=status]").first.wait_for()
    checked(page, axe, "contact requested")
    assert ContactRequest.objects.filter(employer=employer, status=ContactRequest.Status.PENDING).count() == 1
    page.goto(f"/konto/oferty/{offer.uuid}/kandydaci/")
    checked(page, axe, "matching candidates")

    # --- the candidate accepts --------------------------------------------------------------
    seeker_page = browser.new_context(base_url=live_server.url, locale="pl-PL", bypass_csp=True).new_page()
    sign_in_with_pin(seeker_page, axe, seeker.number)
    seeker_page.get_by_role("button", name="Zgadzam się: pokaż moje dane i kontakt").click()
    seeker_page.wait_for_url("**/konto/#requests")
    checked(seeker_page, axe, "request accepted")
    assert "Hurtownia Podlasie" in seeker_page.locator("#views-h + *").inner_text()
    seeker_page.context.close()

    # --- the employer sees the contact details ------------------------------------------------
    page.goto(candidate_url)
    checked(page, axe, "candidate after acceptance")
    text = page.locator("main").inner_text()
    assert "Zielińska" in text
    assert "600100200" in text.replace(" ", "") or "600 100 200" in text

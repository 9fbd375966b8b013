"""What the messages' links open, in a real browser at desktop and phone widths, with axe and no
sideways scroll: the resident answers the office's question (with a file) and rates the handling
with the keyboard; an unhappy rating reopens the case. An administrator rewords a message and sees
the live preview change as they type; the case page lists what the client was sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.cases import actions
from okienko.cases.models import Case
from okienko.cases.workflow import Status
from okienko.notifications import links
from okienko.notifications.models import NotificationTemplate, SurveyResponse
from tests.browser import scenario
from tests.browser.scenario import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


@pytest.fixture
def report(city: scenario.City) -> Case:
    return actions.open_case(
        actor=city.consultant,
        organisation=city.city,
        service=city.pothole,
        description="Głęboka dziura na pasie ruchu.",
        channel="web",
        reporter={"name": "Anna Nowak", "email": "anna@example.org"},
        location={"latitude": "51.7592", "longitude": "19.4560", "address": "Piotrkowska 104", "gmina_code": "1061011"},
        answers={"wielkosc": "duza"},
    )


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_resident_answers_the_question_with_a_file(
    page: Any, report: Case, city: scenario.City, axe: Axe, size: str, tmp_path: Path
) -> None:
    page.set_viewport_size(SIZES[size])
    report = actions.ask_client(
        actor=city.expert, case=Case.objects.get(pk=report.pk), message="Jak głęboki jest ubytek?"
    )
    page.goto(f"/sprawy/odpowiedz/{links.answer_token(report)}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Odpowiedź dla urzędu"
    assert "Jak głęboki jest ubytek?" in page.locator("main").inner_text()
    _checked(page, axe)
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    assert "Proszę wpisać odpowiedź." in page.locator("main").inner_text()  # nothing typed
    _checked(page, axe)
    photo = tmp_path / "dziura.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.get_by_label("Pana/Pani odpowiedź").fill("Około 15 cm.")
    page.get_by_label("Pliki (nieobowiązkowe)").set_input_files(str(photo))
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    page.wait_for_url("**/wyslano")
    assert page.get_by_role("heading", level=1).inner_text() == "Dziękujemy, odpowiedź została wysłana"
    _checked(page, axe)
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.attachments.count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_an_unhappy_rating_given_with_the_keyboard_reopens_the_case(
    page: Any, report: Case, city: scenario.City, axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    report = actions.resolve_case(actor=city.expert, case=Case.objects.get(pk=report.pk), message="Załatane.")
    page.goto(f"/ankieta/{links.survey_token(report)}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Jak nam poszło?"
    _checked(page, axe)
    page.get_by_label("2 – słabo").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Dziura wróciła po tygodniu.")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "you may contact me"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Wyślij ocenę"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "została wznowiona" in page.locator("main").inner_text()
    _checked(page, axe)
    answer = SurveyResponse.objects.get(case=report)
    assert (answer.rating, answer.may_contact, answer.reopen_requested) == (2, True, True)
    report.refresh_from_db()
    assert report.status == Status.REOPENED


def test_an_administrator_sees_the_preview_follow_the_typing(
    page: Any, city: scenario.City, make_user: Callable[..., User], sign_in: Callable[[str], None], axe: Axe
) -> None:
    make_user("konfigurator", roles=[(city.city, Role.ADMINISTRATOR)], password=PASSWORD)
    sign_in("konfigurator")
    page.goto("/desk/notifications/templates/")
    _checked(page, axe)
    page.get_by_role("link", name="Przyjęcie sprawy").first.click()
    preview = page.locator("#template-preview")
    assert "LODZ/2026/000186" in preview.inner_text()
    _checked(page, axe)
    page.get_by_label("Temat").fill("Zgłoszenie {{ case_number }} przyjęte")
    page.wait_for_function("() => document.querySelector('#template-preview').innerText.includes('przyjęte')")
    page.get_by_label("Treść").fill("{% if %}")
    page.wait_for_function("() => document.querySelector('#template-preview [role=alert]') !== null")
    page.get_by_label("Treść").fill("Dzień dobry, numer: {{ case_number }}.")
    page.get_by_role("button", name="Zapisz").click()
    page.wait_for_url("**/desk/notifications/templates/")
    assert "Szablon zapisano." in page.locator("body").inner_text()
    assert NotificationTemplate.objects.get().subject == "Zgłoszenie {{ case_number }} przyjęte"


def test_the_case_page_lists_the_messages_sent(
    page: Any, report: Case, city: scenario.City, sign_in: Callable[[str], None], axe: Axe
) -> None:
    from okienko.core import events
    from okienko.notifications import queue

    events.deliver_due()
    queue.drain()
    sign_in("konsultantka")
    page.goto(f"/desk/cases/{report.uuid}/")
    section = page.get_by_role("region", name="Wiadomości do klienta")
    assert "anna@example.org" in section.inner_text()
    assert "przyjęcie sprawy" in section.inner_text()
    axe(page)

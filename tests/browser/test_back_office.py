"""Issue 3, the 2nd line: the routed case waits in the unit's queue with its deadline; the expert
asks the client for information (the deadline pauses), then resolves it with a public note; the
case history shows every step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import formats, timezone, translation

from okienko.accounts.models import User
from okienko.cases.actions import open_case
from okienko.cases.models import Case
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]
PLACE = {"latitude": "51.7592", "longitude": "19.4560", "address": "Piotrkowska 104", "gmina_code": "1061011"}


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


@pytest.fixture
def case(city: scenario.City) -> Case:
    return open_case(
        actor=city.consultant,
        organisation=city.city,
        service=city.pothole,
        description="Głęboka dziura przed przejściem dla pieszych.",
        channel="phone",
        client=city.client,
        location=PLACE,
        answers={"wielkosc": "duza"},
    )


def _short(value: Any) -> str:
    # As the Polish desk shows it, whatever language an earlier test left active in this thread.
    with translation.override("pl"):
        return " ".join(formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT").split())


def test_routed_case_waits_in_the_units_queue_with_its_deadline(
    page: Any, sign_in: SignIn, city: scenario.City, case: Case, axe: Axe
) -> None:
    assert case.assigned_unit == city.roads
    sign_in("drogowiec")
    page.goto("/desk/cases/team/")
    row = page.locator("table.queue tbody tr", has_text=case.number)
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1:7] == [
        "Dziura w jezdni",
        "Piotrkowska 104",
        "normalny",
        "przydzielona",
        "Zarząd Dróg i Transportu",
        "dzisiaj",
    ]
    assert row.locator("time").get_attribute("datetime") == timezone.localtime(case.resolve_due).isoformat()
    assert row.locator("time").inner_text() == _short(case.resolve_due)
    axe(page)
    # The case opens from the queue with the keyboard.
    scenario.tab_until(page, lambda f: f["tag"] == "a" and f["text"] == case.number)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/cases/{case.uuid}/")
    axe(page)


def test_expert_asks_the_client_then_resolves_and_history_shows_every_step(
    page: Any, sign_in: SignIn, city: scenario.City, case: Case, axe: Axe
) -> None:
    sign_in("drogowiec")
    page.goto(f"/desk/cases/{case.uuid}/")
    facts = page.locator("dl.case-facts")
    assert "wstrzymany" not in facts.inner_text()
    assert page.locator("label[for=note-body]").inner_text() == "Notatka"

    # Ask the client for information: the message and the status in the one reply box, from the keyboard.
    page.locator("#reply-message").focus()
    page.keyboard.type("Prosimy o podanie numeru najbliższej posesji.")
    scenario.tab_until(page, lambda f: f["tag"] == "select" and f["name"] == "to_status")
    page.locator("#to-status").select_option("waiting_client")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Zapisz")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_role("status").or_(page.locator(".message-success")).first.wait_for()
    case.refresh_from_db()
    assert case.status == "waiting_client"
    assert case.sla_paused_at is not None
    assert "oczekuje na klienta" in page.get_by_role("heading", level=1).inner_text()
    assert "wstrzymany na czas oczekiwania na klienta" in facts.inner_text()
    axe(page)

    # The unit's queue shows the case waiting for the client.
    page.goto("/desk/cases/team/")
    row = page.locator("table.queue tbody tr", has_text=case.number)
    assert row.locator("td").nth(4).inner_text() == "oczekuje na klienta"

    # Resolve with a public note.
    page.goto(f"/desk/cases/{case.uuid}/")
    page.locator("#reply-message").focus()
    page.keyboard.type("Ubytek został załatany masą na zimno.")
    scenario.tab_until(page, lambda f: f["tag"] == "select" and f["name"] == "to_status")
    page.locator("#to-status").select_option("resolved")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Zapisz")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("ul.notes").wait_for()
    case.refresh_from_db()
    assert case.status == "resolved"
    assert case.resolved_at is not None
    notes = page.locator("ul.notes li.note-public").all_inner_texts()
    assert any("Ubytek został załatany masą na zimno." in n for n in notes)
    assert any("Prosimy o podanie numeru najbliższej posesji." in n for n in notes)
    timeline = page.locator("ol.timeline li").all_inner_texts()
    events = list(case.events.order_by("at", "id"))
    assert len(timeline) == len(events) >= 4
    for shown, event in zip(timeline, events, strict=True):
        assert event.summary in shown
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["opened", "assigned"]
    assert (kinds.count("status"), kinds.count("note")) == (2, 2)
    axe(page)


def test_expert_takes_the_case_with_the_keyboard_and_finds_it_in_my_cases(
    page: Any, sign_in: SignIn, city: scenario.City, case: Case, axe: Axe
) -> None:
    sign_in("drogowiec")
    page.goto(f"/desk/cases/{case.uuid}/")
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Weź tę sprawę", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("dl.case-facts", has_text="Test drogowiec").wait_for()
    case.refresh_from_db()
    assert case.assigned_to == city.expert
    page.goto("/desk/cases/")
    assert page.locator("table.queue tbody tr", has_text=case.number).count() == 1
    axe(page)


def test_supervisor_assigns_from_the_team_queue_with_the_keyboard(
    page: Any, sign_in: SignIn, city: scenario.City, case: Case, make_user: Callable[..., User], axe: Axe
) -> None:
    from okienko.accounts.roles import Role
    from tests.browser.conftest import PASSWORD

    make_user("kierowniczka", roles=[(city.roads, Role.SUPERVISOR)], password=PASSWORD)
    sign_in("kierowniczka")
    page.goto("/desk/cases/team/")
    axe(page)
    scenario.tab_until(page, lambda f: f["tag"] == "input" and f["name"] == "case", limit=60)
    page.keyboard.press("Space")
    page.locator("#bulk-user").select_option(str(city.expert.pk))
    page.locator("#bulk-user").focus()
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Przydziel")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("table.queue tbody tr", has_text="Test drogowiec").wait_for()
    case.refresh_from_db()
    assert case.assigned_to == city.expert
    page.goto(f"/desk/cases/{case.uuid}/")
    axe(page)

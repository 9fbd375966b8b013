"""The e-mail queue in a real browser, with the keyboard, at desktop and phone widths: a consultant
opens the queue from the start page's panel, takes a message that names its client (found by
the sender's address) and opens a case from it; every page passes axe without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage, Mailbox
from okienko.clients.models import ClientContact
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

RAW = (
    "From: =?utf-8?q?=C5=81ukasz_=C5=BB=C3=B3=C5=82kiewski?= <lukasz@example.pl>\r\n"
    "To: kontakt@lodz.okienko.localhost\r\n"
    "Subject: =?utf-8?q?Dziura_na_Piotrkowskiej?=\r\n"
    "Message-ID: <browser-1@example.pl>\r\n"
    "Date: Fri, 04 Dec 2026 12:59:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "Dzień dobry, na Piotrkowskiej 104 jest głęboka dziura.\r\n"
).encode()


@pytest.fixture
def city(make_user: Callable[..., User]) -> scenario.City:
    return scenario.city(make_user)


@pytest.fixture
def mail(city: scenario.City) -> InboundMessage:
    Service.objects.create(
        organisation=city.city,
        code="odpady",
        category=city.pothole.category,
        public_name="Wywóz odpadów",
        responsible_unit=city.roads,
        resolve_due=5,
    )
    ClientContact.objects.create(
        client=city.client, kind=ClientContact.Kind.EMAIL, value="lukasz@example.pl", normalized="lukasz@example.pl"
    )
    mailbox = Mailbox.objects.create(organisation=city.centre, address="kontakt@lodz.okienko.localhost", name="CKM")
    return ingest(mailbox, RAW)


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_consultant_triages_an_e_mail_with_the_keyboard(
    page: Any, city: scenario.City, mail: InboundMessage, sign_in: Callable[[str], None], axe: Axe, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in("konsultantka")
    page.goto("/desk/")
    panel = page.get_by_role("region", name="E-maile czekające na rozdzielenie")
    assert "Dziura na Piotrkowskiej" in panel.inner_text()
    panel.get_by_role("link", name="Dziura na Piotrkowskiej").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/mail/{mail.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dziura na Piotrkowskiej"
    assert "na Piotrkowskiej 104 jest głęboka dziura" in page.locator("main").inner_text()
    _checked(page, axe)
    page.get_by_role("button", name="Zajmę się tym").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Zajmuje się Pan/Pani tą wiadomością." in page.locator("body").inner_text()
    # The sender's address belongs to a client: the message already names them.
    assert str(city.client) in page.locator(".facts").inner_text()
    page.get_by_label("Rodzaj sprawy").select_option(label="Dziura w jezdni")
    with page.expect_navigation():
        page.get_by_role("button", name="Załóż sprawę").press("Enter")
    # The pothole needs its place on the map: said plainly, with the way to the full intake form.
    assert not Case.objects.filter(channel="email").exists()
    assert page.locator(".message-error").count() == 1
    assert page.get_by_role("link", name="pełny formularz", exact=False).count() == 1
    _checked(page, axe)
    page.get_by_label("Rodzaj sprawy").select_option(label="Wywóz odpadów")
    with page.expect_navigation():
        page.get_by_role("button", name="Załóż sprawę").press("Enter")
    case = Case.objects.get(channel="email")
    assert page.url.endswith(f"/desk/cases/{case.uuid}/")
    assert case.client == city.client
    assert "głęboka dziura" in case.description
    mail.refresh_from_db()
    assert mail.status == InboundMessage.Status.CASE_CREATED
    page.goto("/desk/mail/")
    assert "Brak wiadomości." in page.locator("main").inner_text()
    _checked(page, axe)

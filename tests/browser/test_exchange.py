"""Kontraktor part 2 (issue 18) on the desk in a real browser, with axe at 1366 and 390: our
institution with its card and fingerprint, the partners list, a partner's card imported and its
fingerprint confirmed by keyboard only, the exchange log with its filters and a message, the file
exchange (export on one side, import by keyboard on the other, with the import report), and the
contract page's "Partner installations" and "Data closing and certificates" sections of a contract
in closing data with the partner's certificate received."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting.exchange import keys, partners
from okienko.contracting.exchange.models import ContractCertificate, Direction, ExchangeMessage, InstitutionKey, Partner
from okienko.contracting.models import InstitutionProfile
from okienko.contracting.states import ContractStatus
from tests.browser.conftest import PASSWORD
from tests.contracting.exchange_helpers import Pair
from tests.contracting.exchange_mirror import A_ID, Mirror, recorder_fixture
from tests.contracting.test_exchange_certificates import _contract, _office_certificate, _records, _send

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["recorder_fixture"]

Axe = Callable[[Any], None]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
NEW_NIP = "1234563218"

_ACCESS_LOG = importlib.import_module("okienko.contracting.migrations.0002_access_log_append_only")


@pytest.fixture(autouse=True)
def _access_log_allows_flush(transactional_db: None) -> Iterator[None]:
    """As in test_kontraktor: SQLite's flush after a transactional test deletes from the
    append-only access log, so its triggers are lifted for that flush only."""
    from django.db import connection

    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _ACCESS_LOG.SQLITE_REVERSE:
                cursor.execute(sql)


@pytest.fixture(autouse=True)
def _access_log_append_only(transactional_db: None) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _ACCESS_LOG.SQLITE:
                cursor.execute(sql)


@pytest.fixture
def second_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="pl-PL", viewport=DESKTOP, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _table_locked(caplog: Any) -> bool:
    return any(r.exc_info and "database table is locked" in str(r.exc_info[1]) for r in caplog.records)


def _guarded(caplog: Any, walk: Callable[[], None]) -> None:
    try:
        walk()
    except Exception:
        if _table_locked(caplog):
            pytest.skip("SQLite shared-cache table lock in the test database, not the product")
        raise


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/desk/**")


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url
    axe(page)


def _main(page: Any) -> str:
    return str(page.locator("main").inner_text())


def _focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : ''"))


def _off_the_loop(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a thread of its own: pyHanko's sync signing calls ``asyncio.run``, which
    cannot run in the test thread, where Playwright's event loop is running."""
    from django.db import connection

    result: list[Any] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert result, "the work in the thread failed"
    return result[0]


def _foreign_card() -> tuple[str, str]:
    """A card of an institution that runs elsewhere (its keys and records gone from here)."""
    other = Organisation.objects.create(code="agencja-n", name="Agencja Nowa", kind=Organisation.Kind.AGENCY)
    InstitutionProfile.objects.create(organisation=other, nip=NEW_NIP)
    keys.ensure_keys(other)
    card_text = partners.signed_card(other)
    fingerprint = partners.signing_fingerprint(partners.read_card(card_text))
    InstitutionKey.objects.filter(organisation=other).delete()
    InstitutionProfile.objects.filter(organisation=other).delete()
    Organisation.objects.filter(pk=other.pk).update(code="agencja-n-old")
    return card_text, fingerprint


def test_exchange_pages(
    page: Any,
    second_page: Any,
    make_user: Callable[..., User],
    axe: Axe,
    recorder: list[Any],
    tmp_path: Path,
    caplog: Any,
) -> None:
    mirror = Mirror(User.objects.create_user(username="admin-m", password="x"))
    make_user("kierownik-m", roles=[(mirror.a, Role.CONTRACT_MANAGER)], password=PASSWORD)
    make_user("agencja-m", roles=[(mirror.b, Role.AGENCY_WORKER)], password=PASSWORD)
    _guarded(caplog, lambda: _walk_exchange(page, second_page, mirror, axe, recorder, tmp_path))


def _walk_exchange(office: Any, agency: Any, mirror: Mirror, axe: Axe, recorder: list[Any], tmp_path: Path) -> None:
    office.set_viewport_size(DESKTOP)
    _sign_in(office, "kierownik-m")

    # Our institution: the identity, the fingerprint to read over the phone, the card to download.
    office.goto("/desk/exchange/")
    text = _main(office)
    assert A_ID in text
    assert partners.signing_fingerprint(partners.card_of(mirror.a)) in text
    assert office.get_by_role("link", name="Pobierz wizytówkę naszej instytucji").count() == 1
    _checked(office, axe)

    # Partners: the list, then a new partner's card imported — by keyboard once the file is chosen.
    office.goto("/desk/exchange/partners/")
    assert mirror.b_at_a.organisation.name in _main(office)
    _checked(office, axe)
    card_text, fingerprint = _foreign_card()
    card = tmp_path / "wizytowka.json"
    card.write_text(card_text)
    office.locator("#partner-card").set_input_files(str(card))
    office.locator("#partner-card").focus()
    office.keyboard.press("Tab")
    assert "Importuj wizytówkę" in _focused(office)
    with office.expect_navigation():
        office.keyboard.press("Enter")
    partner = Partner.objects.get(institution_id=f"PL-NIP-{NEW_NIP}")
    office.wait_for_url(f"**/desk/exchange/partners/{partner.pk}/")
    assert partner.status == Partner.Status.PENDING
    assert fingerprint in _main(office)
    _checked(office, axe)

    # The fingerprint heard on the phone: a wrong one is refused with a message, the right one trusts.
    office.locator("#confirm-fingerprint").focus()
    office.keyboard.type("0000 1111 2222")
    with office.expect_navigation():
        office.keyboard.press("Enter")
    partner.refresh_from_db()
    assert partner.status == Partner.Status.PENDING
    _checked(office, axe)
    office.locator("#confirm-fingerprint").focus()
    office.keyboard.type(fingerprint.lower())
    office.keyboard.press("Tab")
    assert "Potwierdź i zaufaj" in _focused(office)
    with office.expect_navigation():
        office.keyboard.press("Enter")
    partner.refresh_from_db()
    assert partner.status == Partner.Status.TRUSTED
    assert office.locator("#confirm-fingerprint").count() == 0
    _checked(office, axe)

    # The file exchange: the office downloads the file for the agency (by keyboard) …
    mirror.queue()
    office.goto("/desk/exchange/files/")
    _checked(office, axe)
    office.locator("#export-partner").select_option(str(mirror.b_at_a.pk))
    with office.expect_download() as download:
        office.get_by_role("button", name="Pobierz plik").focus()
        office.keyboard.press("Enter")
    exported = tmp_path / "dla-agencji.jsonl"
    download.value.save_as(str(exported))
    assert exported.read_bytes().count(b"\n") >= 1

    # … and the agency imports it by keyboard, with the report shown.
    _sign_in(agency, "agencja-m")
    agency.goto("/desk/exchange/files/")
    agency.locator("#import-exchange-file").set_input_files(str(exported))
    agency.locator("#import-exchange-file").focus()
    agency.keyboard.press("Tab")
    assert "Importuj" in _focused(agency)
    with agency.expect_navigation():
        agency.keyboard.press("Enter")
    report = _main(agency)
    assert "contract.status" in report
    assert len(recorder) == 1
    assert ExchangeMessage.objects.filter(direction=Direction.IN, type="contract.status", status="applied").exists()
    _checked(agency, axe)

    # The exchange log with its filters, and one message.
    office.goto("/desk/exchange/messages/")
    _checked(office, axe)
    office.get_by_label("Kierunek").select_option("out")
    office.get_by_role("button", name="Filtruj").focus()
    with office.expect_navigation():
        office.keyboard.press("Enter")
    assert "direction=out" in office.url
    _checked(office, axe)
    sent = ExchangeMessage.objects.filter(direction=Direction.OUT, type="contract.status").first()
    assert sent is not None
    office.locator(f"a[href$='/desk/exchange/messages/{sent.pk}/']").focus()
    with office.expect_navigation():
        office.keyboard.press("Enter")
    assert str(sent.message_id) in _main(office)
    _checked(office, axe)
    agency.goto("/desk/exchange/messages/?direction=in&status=applied")
    _checked(agency, axe)

    # The same pages on a phone, for both sides.
    received = ExchangeMessage.objects.get(direction=Direction.IN, type="contract.status")
    for who, message in ((office, sent), (agency, received)):
        who.set_viewport_size(PHONE)
        for address in (
            "/desk/exchange/",
            "/desk/exchange/partners/",
            "/desk/exchange/messages/",
            f"/desk/exchange/messages/{message.pk}/",
            "/desk/exchange/files/",
            "/desk/exchange/rotate/",
        ):
            who.goto(address)
            _checked(who, axe)
    office.goto(f"/desk/exchange/partners/{partner.pk}/")
    _checked(office, axe)
    agency.goto("/desk/exchange/files/")
    agency.locator("#import-exchange-file").set_input_files(str(exported))
    agency.get_by_role("button", name="Importuj").focus()
    with agency.expect_navigation():
        agency.keyboard.press("Enter")
    assert "duplicate" in _main(agency) or "Już zaimportowane" in _main(agency)
    _checked(agency, axe)


def test_contract_closing_sections(
    page: Any, make_user: Callable[..., User], axe: Axe, settings: Any, tmp_path: Path, caplog: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    pair = Pair(User.objects.create_user(username="admin-x", password="x"))
    pair.trust()
    make_user("agencja-k", roles=[(pair.receiver, Role.AGENCY_WORKER)], password=PASSWORD)
    contract = _contract(pair.partner.organisation, pair.receiver)
    assert contract.status == ContractStatus.CLOSING_DATA
    _records(contract, "office_to_agency", ["P-AAAAAAAAAAAAAAAA"])
    assert _off_the_loop(lambda: _send(pair, _office_certificate(pair, contract)).outcome) == "applied"
    _guarded(caplog, lambda: _walk_closing(page, contract, axe))


def _walk_closing(agency: Any, contract: Any, axe: Axe) -> None:
    for size in (PHONE, DESKTOP):
        agency.set_viewport_size(size)
        if size is PHONE:
            _sign_in(agency, "agencja-k")
        agency.goto(f"/desk/contracts/{contract.uuid}/")
        text = _main(agency)
        assert "Instalacje partnerów" in text
        assert "Zamknięcie danych i zaświadczenia" in text
        assert agency.locator("#closing-confirm").count() == 1
        _checked(agency, axe)

    # Confirmed and submitted with the keyboard only.
    agency.locator("#closing-confirm").focus()
    agency.keyboard.press("Space")
    assert agency.locator("#closing-confirm").is_checked()
    agency.keyboard.press("Tab")
    assert "Zamknij dane" in _focused(agency)
    with agency.expect_navigation():
        agency.keyboard.press("Enter")
    agency.wait_for_url(f"**/desk/contracts/{contract.uuid}/**")
    assert ContractCertificate.objects.filter(contract=contract).count() == 2
    assert agency.locator("#closing-confirm").count() == 0
    for size in (DESKTOP, PHONE):
        agency.set_viewport_size(size)
        agency.goto(f"/desk/contracts/{contract.uuid}/")
        _checked(agency, axe)

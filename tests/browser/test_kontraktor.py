"""Kontraktor's "Done when" in a real browser, by keyboard where it matters, with axe at 1366 and
390: the labour office (``kontrakty``) nominates registered people (imported from the example
Syriusz export) to a contract and proposes sharing their data, approving it as the data owner; the
agency (``agencja``) sees only the approved fields, records an individual plan with evidence and a
placement that started 20 days ago, so the 14-day employment check is due; it records the check,
its claim without evidence is refused with the reason, the placement tranche is claimed and the
office approves it; the office asks for the agency's records, the agency accepts, the office reads
them; the participant's access log shows the reads."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting import catalogue
from okienko.contracting.models import (
    AccessLog,
    Contract,
    DataSharingRequest,
    Participant,
    SharedField,
    SharingPurpose,
    TrancheLine,
)
from okienko.contracting.states import ParticipantStatus, SharingStatus, TrancheStatus
from okienko.core import clock
from tests.browser.conftest import PASSWORD
from tests.contracting.domain import make_contract, make_scheme
from tests.contracting.registry_helpers import EXAMPLES, run

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
EVIDENCE = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


_ACCESS_LOG = importlib.import_module("okienko.contracting.migrations.0002_access_log_append_only")


@pytest.fixture(autouse=True)
def _access_log_allows_flush(transactional_db: None) -> Iterator[None]:
    """SQLite empties the tables with DELETE after a transactional test; the access log forbids
    DELETE (as the audit log, see tests/conftest.py), so lift its triggers for that flush only."""
    from django.db import connection

    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _ACCESS_LOG.SQLITE_REVERSE:
                cursor.execute(sql)


@pytest.fixture(autouse=True)
def _access_log_append_only(transactional_db: None) -> None:
    """Put the triggers back (a flush by an earlier test may have run without them)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _ACCESS_LOG.SQLITE:
                cursor.execute(sql)


@pytest.fixture
def contract(region: Organisation, make_user: Callable[..., User], settings: Any, tmp_path: Any) -> Contract:
    settings.MEDIA_ROOT = tmp_path
    catalogue.ensure_catalogue(SharedField, SharingPurpose)
    pup = Organisation.objects.get(code="pup-a")
    agency = Organisation.objects.create(code="agencja-test", name="Agencja Praca Test", kind=Organisation.Kind.AGENCY)
    office_user = make_user("kontrakty", roles=[(pup, Role.CONTRACT_MANAGER)], password=PASSWORD)
    make_user("agencja", roles=[(agency, Role.AGENCY_WORKER)], password=PASSWORD)
    run(pup, (EXAMPLES / "syriusz-example.csv").read_bytes())
    return make_contract(office_user, pup, agency, make_scheme(), "ZL/7/2026")


@pytest.fixture
def agency_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="pl-PL", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/desk/**")


def _checked(page: Any, axe: Axe) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)


def _press(page: Any, locator: Any) -> None:
    """Operate a control by keyboard: focus it and press Enter (each one loads a page)."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _main(page: Any) -> str:
    return str(page.locator("main").inner_text())


def _table_locked(caplog: Any) -> bool:
    return any(r.exc_info and "database table is locked" in str(r.exc_info[1]) for r in caplog.records)


def test_done_when_in_the_browser(page: Any, agency_page: Any, contract: Contract, axe: Axe, caplog: Any) -> None:
    try:
        _walk(page, agency_page, contract, axe)
    except Exception:
        if _table_locked(caplog):
            pytest.skip("SQLite shared-cache table lock in the test database, not the product")
        raise


def _walk(office: Any, agency: Any, contract: Contract, axe: Axe) -> None:
    office.set_viewport_size(DESKTOP)
    _sign_in(office, "kontrakty")
    _press(office, office.locator("#main").get_by_role("link", name="Umowy"))
    office.wait_for_url("**/desk/contracts/")
    _checked(office, axe)
    _press(office, office.get_by_role("link", name="ZL/7/2026"))
    office.wait_for_url(f"**/desk/contracts/{contract.uuid}/")
    _checked(office, axe)

    # The office nominates two registered people from its registry.
    _press(office, office.get_by_role("link", name="Zgłoś osoby z rejestru"))
    office.wait_for_url("**/nominate/")
    _checked(office, axe)
    boxes = office.locator("input[name=person]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    _press(office, office.get_by_role("button", name="Zgłoś wybrane osoby"))
    office.wait_for_url(f"**/desk/contracts/{contract.uuid}/")
    assert "Zgłoszono: 2" in _main(office)
    participants = list(Participant.objects.filter(contract=contract).select_related("person").order_by("pk"))
    assert len(participants) == 2
    first, second = participants
    assert first.person is not None

    # … and proposes sharing their data for activation; as the data owner it approves it without the address.
    _press(office, office.get_by_role("link", name="Zaproponuj udostępnienie lub poproś o dokumentację agencji"))
    office.wait_for_url("**/requests/new/")
    office.get_by_label("Cel", exact=True).select_option("activation")
    _press(office, office.get_by_role("button", name="Wybierz"))
    office.wait_for_url("**/requests/new/?purpose=activation")
    _checked(office, axe)
    assert office.locator("input[name=field][value=pesel]").count() == 0  # not allowed for this purpose
    office.locator(f"#participant-{first.ref}").check()
    office.locator(f"#participant-{second.ref}").check()
    _press(office, office.get_by_role("button", name="Wyślij wniosek"))
    office.wait_for_url("**/requests/*/")
    _checked(office, axe)
    office.locator("#approve-address").uncheck()
    office.locator("#approve-phone").uncheck()
    _press(office, office.get_by_role("button", name="Zatwierdź zaznaczone pola"))
    office.wait_for_url("**/requests/*/")
    offer = DataSharingRequest.objects.get(contract=contract)
    assert offer.status == SharingStatus.ACTIVE
    assert "address" not in offer.approved_fields

    # The office refers the first participant to the agency.
    office.goto(f"/desk/contracts/{contract.uuid}/participants/{first.ref}/")
    office.get_by_label("Nowy status").select_option("referred")
    _press(office, office.locator("#pstatus-title + form button"))
    office.wait_for_url(f"**/participants/{first.ref}/")
    _checked(office, axe)

    # The agency sees only its shared participants and only the approved fields.
    _sign_in(agency, "agencja")
    agency.goto(f"/desk/contracts/{contract.uuid}/")
    _checked(agency, axe)
    assert first.person.last_name not in _main(agency)
    _press(agency, agency.get_by_role("link", name=first.ref))
    agency.wait_for_url(f"**/participants/{first.ref}/")
    text = _main(agency)
    assert first.person.last_name in text
    assert str(first.person.pesel) not in text
    assert (first.person.street or "\u0000") not in text
    _checked(agency, axe)

    # It admits the participant, agrees the plan and records it with evidence.
    for status in ("admitted", "plan_agreed", "in_activation"):
        agency.get_by_label("Nowy status").select_option(status)
        _press(agency, agency.locator("#pstatus-title + form button"))
        agency.wait_for_url(f"**/participants/{first.ref}/")
    agency.get_by_label("Rodzaj zdarzenia").select_option("individual_plan")
    agency.locator("#event-note").fill("Indywidualny plan działania uzgodniony")
    _press(agency, agency.get_by_role("button", name="Zapisz zdarzenie"))
    agency.wait_for_url(f"**/participants/{first.ref}/")
    assert "Zapisano zdarzenie." in _main(agency)

    # A placement that started 20 days ago: the 14-day employment check is due.
    started = (clock.local_now().date() - dt.timedelta(days=20)).isoformat()
    agency.get_by_label("NIP pracodawcy").fill("5261040828")
    agency.get_by_label("Stanowisko").fill("magazynier")
    agency.get_by_label("Kod zawodu (KZiS, 6 cyfr)").fill("432103")
    agency.get_by_label("Wymiar czasu pracy (część etatu)").fill("1")
    agency.locator("#placement-start").fill(started)
    _press(agency, agency.get_by_role("button", name="Zapisz zatrudnienie"))
    agency.wait_for_url(f"**/participants/{first.ref}/")
    assert "Zapisano zatrudnienie." in _main(agency)
    assert "Kontrola zatrudnienia po 14 dniach" in _main(agency)
    _checked(agency, axe)
    agency.locator("input[name=employed][value=yes]").first.check()
    _press(agency, agency.get_by_role("button", name="Zapisz kontrolę").first)
    agency.wait_for_url(f"**/participants/{first.ref}/")
    first.refresh_from_db()
    assert first.status == ParticipantStatus.RETAINED_14

    # Tranches: the plan's tranche needs evidence (refused with the reason), the placement's is claimed.
    _press(agency, agency.get_by_role("link", name=f"Umowa {contract.number}"))
    _press(agency, agency.get_by_role("link", name="Transze i rozliczenia"))
    agency.wait_for_url("**/settlement/")
    _press(agency, agency.get_by_role("button", name="Przelicz linie transz"))
    agency.wait_for_url("**/settlement/")
    plan_line = TrancheLine.objects.get(participant=first, definition__order=1)
    kept_line = TrancheLine.objects.get(participant=first, definition__order=2)
    _press(agency, agency.locator(f"form[action$='/lines/{plan_line.pk}/'] button"))
    agency.wait_for_url("**/settlement/")
    assert "Ta transza wymaga dowodów" in _main(agency)
    _press(agency, agency.locator(f"form[action$='/lines/{kept_line.pk}/'] button"))
    agency.wait_for_url("**/settlement/")
    kept_line.refresh_from_db()
    assert kept_line.status == TrancheStatus.CLAIMED
    _checked(agency, axe)

    # The office approves the claim.
    office.goto(f"/desk/contracts/{contract.uuid}/settlement/")
    _press(office, office.locator(f"form[action$='/lines/{kept_line.pk}/'] button[value=approve]"))
    office.wait_for_url("**/settlement/")
    kept_line.refresh_from_db()
    assert kept_line.status == TrancheStatus.APPROVED
    _checked(office, axe)

    # The office asks for the agency's records; the agency (their owner) accepts; the office reads them.
    office.goto(f"/desk/contracts/{contract.uuid}/requests/new/?purpose=monitoring")
    office.locator(f"#participant-{first.ref}").check()
    _press(office, office.get_by_role("button", name="Wyślij wniosek"))
    office.wait_for_url("**/requests/*/")
    asked = DataSharingRequest.objects.get(contract=contract, purpose__code="monitoring")
    assert asked.status == SharingStatus.SUBMITTED
    assert office.get_by_role("button", name="Zatwierdź zaznaczone pola").count() == 0  # not the owner

    agency.goto(f"/desk/contracts/{contract.uuid}/requests/{asked.uuid}/")
    _checked(agency, axe)
    _press(agency, agency.get_by_role("button", name="Zatwierdź zaznaczone pola"))
    agency.wait_for_url("**/requests/*/")
    asked.refresh_from_db()
    assert asked.status == SharingStatus.ACTIVE

    office.goto(f"/desk/contracts/{contract.uuid}/participants/{first.ref}/")
    _press(office, office.get_by_role("link", name="Odczytaj dokumentację agencji"))
    office.wait_for_url("**?show=records")
    assert "magazynier" in _main(office)
    _checked(office, axe)

    # The access log shows the transfers and the reads of both sides.
    _press(office, office.get_by_role("link", name="Dziennik dostępu"))
    office.wait_for_url("**/access-log/")
    log = _main(office)
    assert "agencja" in log
    assert "kontrakty" in log
    reads = AccessLog.objects.filter(participant_ref=first.ref, action=AccessLog.Action.READ)
    assert reads.filter(actor__username="agencja").exists()
    assert reads.filter(actor__username="kontrakty").exists()
    _checked(office, axe)

    # The same pages on a phone.
    for who in (office, agency):
        who.set_viewport_size(PHONE)
        for address in (
            f"/desk/contracts/{contract.uuid}/",
            f"/desk/contracts/{contract.uuid}/participants/{first.ref}/",
            f"/desk/contracts/{contract.uuid}/settlement/",
            f"/desk/contracts/{contract.uuid}/messages/",
        ):
            who.goto(address)
            _checked(who, axe)

"""Small, realistic data for the browser journeys, built with the apps' own actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from okienko.accounts.models import Organisation, TerritorialUnit, User
from okienko.accounts.roles import Role
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, ServiceQuestionChoice
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.interactions import actions as interaction_actions
from tests import factories
from tests.browser.conftest import PASSWORD


@dataclass
class City:
    city: Organisation
    centre: Organisation
    roads: Organisation
    pothole: Service
    consultant: User
    expert: User
    client: Client


def city(make_user: Callable[..., User]) -> City:
    """Łódź with its contact centre and the roads unit; a pothole service that needs a place and
    asks for the size; a consultant, a roads expert, and a client with one earlier contact."""
    factories.territory("1061011", "Łódź", TerritorialUnit.Kind.GMINA)
    ldz = Organisation.objects.create(code="ldz", name="Łódź", kind=Organisation.Kind.CITY, open311_public=True)
    centre = Organisation.objects.create(
        code="ldz-ckm", name="Centrum Kontaktu Mieszkańców", kind=Organisation.Kind.CONTACT_CENTRE, parent=ldz
    )
    roads = Organisation.objects.create(
        code="ldz-zdit", name="Zarząd Dróg i Transportu", kind=Organisation.Kind.UNIT, parent=ldz
    )
    category = ServiceCategory.objects.create(organisation=ldz, code="drogi", name="Drogi i chodniki")
    pothole = Service.objects.create(
        organisation=ldz,
        code="dziura",
        category=category,
        public_name="Dziura w jezdni",
        keywords="ubytek asfalt wyrwa",
        responsible_unit=roads,
        sla_basis=Service.SlaBasis.WORKING_DAYS,
        response_due=1,
        resolve_due=5,
        location_required=True,
        publication=Service.Publication.REDACTED,
    )
    size = ServiceQuestion.objects.create(
        service=pothole, code="wielkosc", label="Wielkość ubytku", datatype="singlevaluelist", required=True
    )
    ServiceQuestionChoice.objects.create(question=size, key="mala", name="mała (do 30 cm)")
    ServiceQuestionChoice.objects.create(question=size, key="duza", name="duża (ponad 30 cm)")
    consultant = make_user("konsultantka", roles=[(ldz, Role.CONSULTANT)], password=PASSWORD)
    expert = make_user("drogowiec", roles=[(roads, Role.EXPERT)], password=PASSWORD)
    client = client_actions.register_client(
        actor=None,
        home_office=ldz,
        first_name="Łukasz",
        last_name="Żółkiewski",
        phones=["601 234 567"],
        street="Piotrkowska 104",
        postal_code="90-926",
        city="Łódź",
        accept_duplicates=True,
    )
    interaction_actions.record_interaction(
        actor=consultant,
        channel="email",
        organisation=ldz,
        client=client,
        question="Harmonogram wywozu odpadów",
        outcome="answered",
    )
    return City(ldz, centre, roads, pothole, consultant, expert, client)


def focused(page: Any) -> dict[str, str]:
    """What has the keyboard focus: tag, id, name, value and visible text (buttons, links)."""
    result: dict[str, str] = page.evaluate(
        """() => { const e = document.activeElement; return {
            tag: e.tagName.toLowerCase(), id: e.id || '', name: e.getAttribute('name') || '',
            value: e.value || '', text: (e.innerText || e.value || '').trim() }; }"""
    )
    return result


def tab_until(page: Any, predicate: Callable[[dict[str, str]], bool], limit: int = 40) -> dict[str, str]:
    """Press Tab until the focused element matches; fail if it is not reached in ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if predicate(now):
            return now
    raise AssertionError(f"not reachable with Tab in {limit} presses; focus ended on {focused(page)}")


def choose_file_with_keyboard(page: Any, path: str, attempts: int = 3) -> None:
    """Open the focused file input's chooser with Space and pick ``path``. Headless Chromium on a
    loaded machine now and then drops the first key press's user activation, so the press is
    repeated (bounded) until the chooser opens."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            continue
        chooser.value.set_files(path)
        return

"""The desk pages issue 12 added or changed, as each role sees them, at desktop (1366 px) and phone
(390 px) width: every one passes axe and none scrolls sideways (wide tables scroll in their own
box). The start page's panels (each role its work, no alert said twice), the search's results,
the scope list, the case page read-only and with the reply-and-status box, the intake's service
search and inquiry, the knowledge search with answer summaries, the callback hand-over, and the
refused page and expired form in the desk layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from tests.browser import scenario
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
WIDTHS = (1366, 390)


@pytest.fixture
def desk(make_user: Callable[..., User]) -> dict[str, Any]:
    city = scenario.city(make_user)
    make_user("kierowniczka", roles=[(city.city, Role.SUPERVISOR)], password=PASSWORD)
    make_user("redaktorka", roles=[(city.city, Role.KNOWLEDGE_EDITOR)], password=PASSWORD)
    Service.objects.create(
        organisation=city.city,
        code="harmonogram-odpadow",
        category=city.pothole.category,
        public_name="Harmonogram wywozu odpadów",
        keywords="śmieci odbiór wywóz",
        kind=Service.Kind.INQUIRY,
        responsible_unit=city.centre,
    )

    def report(address: str, email: str, **extra: Any) -> Case:
        return case_actions.open_case(
            actor=city.consultant,
            organisation=city.city,
            service=city.pothole,
            description=f"Dziura w jezdni, {address}",
            channel="phone",
            reporter={"name": "Anna Nowak", "email": email, "phone": "+48 600 100 200"},
            location={"latitude": "51.7592", "longitude": "19.4560", "address": address, "gmina_code": "1061011"},
            answers={"wielkosc": "duza"},
            **extra,
        )

    first = report("Piotrkowska 104", "anna@example.org", priority="high")
    report("Zachodnia 12", "ANNA@example.org")
    overdue = report("Narutowicza 5", "ewa@example.org")
    Case.objects.filter(pk=overdue.pk).update(resolve_due=clock.now() - dt.timedelta(days=3))
    knowledge_actions.create_article(
        actor=None,
        organisation=city.city,
        title="Jak zgłosić dziurę w jezdni",
        slug="dziura-w-jezdni",
        question="Gdzie zgłosić dziurę w jezdni?",
        summary="Dziurę zgłasza się przez formularz lub telefonicznie; naprawa do 5 dni roboczych.",
        body="<p>Dziury w jezdni naprawia Zarząd Dróg i Transportu.</p>",
        audience=Article.Audience.INTERNAL,
        status=Article.Status.PUBLISHED,
        review_by=dt.date(2020, 1, 1),
    )
    return {"city": city, "case": first}


def _sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/desk/**")


def _visit(page: Any, axe: Axe, path: str, *, status: int = 200) -> str:
    """Open ``path`` (a refusal is shown as 200 to the browser, which logs 4xx as console errors)."""
    seen: list[int] = []
    if status != 200:
        page.route(f"**{path}", _shown_as_200(seen))
    response = page.goto(path)
    assert (seen[0] if seen else response.status) == status, path
    assert page.get_by_role("heading", level=1).count() == 1, path
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), f"{path} scrolls sideways"
    axe(page)
    text: str = page.locator("main").inner_text()
    return text


def _shown_as_200(seen: list[int]) -> Callable[[Any], None]:
    def handle(route: Any) -> None:
        response = route.fetch()
        seen.append(response.status)
        route.fulfill(response=response, status=200)

    return handle


@pytest.mark.parametrize("width", WIDTHS)
def test_the_desk_pages_of_issue_12_pass_axe(page: Any, desk: dict[str, Any], axe: Axe, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    case: Case = desk["case"]
    city: scenario.City = desk["city"]

    _sign_in(page, "kierowniczka")
    home = _visit(page, axe, "/desk/")
    assert "Po terminie w moim zakresie" in home
    assert "Czekają na przydział" in home
    assert "po terminie" not in home.replace("Po terminie w moim zakresie", "")  # said once, by the panel

    _sign_in(page, "redaktorka")
    home = _visit(page, axe, "/desk/")
    assert "Artykuły do przeglądu" in home
    assert "czekają na przegląd" not in home
    assert "czeka na przegląd" not in home

    _sign_in(page, "drogowiec")
    _visit(page, axe, "/desk/")
    detail = _visit(page, axe, f"/desk/cases/{case.uuid}/")
    assert "Odpowiedź i status" in detail
    # Every fieldset of the case page stays inside its card (item 10).
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main .card fieldset')].filter(f => {
            const card = f.closest('.card').getBoundingClientRect(), box = f.getBoundingClientRect();
            return box.right > card.right + 0.5 || box.left < card.left - 0.5;
        }).map(f => f.id || f.innerText.slice(0, 40))"""
    )
    assert page.locator("main .card fieldset").count() > 0
    assert overflowing == []
    # The form expired (its CSRF cookie is gone): the desk layout says why and leads back.
    page.context.clear_cookies(name="csrftoken")
    seen: list[int] = []
    page.route(f"**/desk/cases/{case.uuid}/assign/", _shown_as_200(seen))
    page.get_by_role("button", name="Weź tę sprawę").click()
    page.get_by_role("heading", level=1, name="Formularz wygasł").wait_for()
    assert seen == [403]
    assert page.get_by_role("link", name="Wróć").get_attribute("href").endswith(f"/desk/cases/{case.uuid}/")
    axe(page)

    _sign_in(page, "konsultantka")
    _visit(page, axe, "/desk/")
    results = _visit(page, axe, "/desk/search/?q=anna%40example.org")
    assert case.number in results
    _visit(page, axe, "/desk/search/?q=LDZ%2F2026%2F999999")
    _visit(page, axe, "/desk/cases/scope/")
    _visit(page, axe, "/desk/cases/new/?search=wyrwa")
    inquiry = Service.objects.get(code="harmonogram-odpadow")
    _visit(page, axe, f"/desk/cases/new/?service={inquiry.uuid}")
    knowledge = _visit(page, axe, "/desk/knowledge/?q=dziura")
    assert "naprawa do 5 dni roboczych" in knowledge
    _visit(page, axe, f"/desk/contacts/callbacks/new/?client={city.client.uuid}")
    refused = _visit(page, axe, "/desk/audit/", status=403)
    assert "Wróć" in refused

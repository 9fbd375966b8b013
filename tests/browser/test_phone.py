"""Every public page on a phone: at 390 and 320 px nothing scrolls sideways, buttons do not break
mid-word, and axe-core finds no WCAG 2.1 A/AA violation. The pages come from the portal's and the
public help's URL conf, so a public page added later is checked without editing this list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from okienko.accounts.models import User
from okienko.cases.models import Case
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article, Topic
from okienko.portal import lookup
from okienko.portal.views import SESSION_SUBMITTED
from tests.browser import scenario

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (390, 320)
# Not pages: fragments, JSON, files and form targets (their answers are checked by the pages above).
NOT_PAGES = {
    "portal:suggestions",
    "portal:deflect",
    "portal:boundaries",
    "portal:geocode",
    "knowledge_public:feedback",
    "knowledge_public:attachment",
}

NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
# A button's text broken inside a word: some line of it ends without a space or hyphen before the
# next word starts (measured with a Range over every character of the label).
BUTTON_WORD_BREAKS = """() => [...document.querySelectorAll('button, .button, [role=button], input[type=submit]')]
  .filter(b => b.offsetParent !== null)
  .filter(b => {
    const node = [...b.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    if (!node) return false;
    let lastTop = null;
    for (let i = 0; i < node.textContent.length; i++) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      const rect = r.getBoundingClientRect(); if (!rect.height) continue;
      const wrapped = lastTop !== null && rect.top > lastTop + 2;
      if (wrapped && !/[\\s\\-]/.test(node.textContent[i - 1]) && node.textContent[i] !== ' ') return true;
      lastTop = rect.top;
    }
    return false;
  }).map(b => b.textContent.trim())"""


def _public_patterns() -> Iterator[tuple[str, URLPattern]]:
    for namespace in ("portal", "knowledge_public"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}", pattern


@pytest.fixture
def world(make_user: Callable[..., User], settings: Any) -> dict[str, Any]:
    settings.PORTAL_MIN_FILL_SECONDS = 0
    city = scenario.city(make_user)
    article = knowledge_actions.create_article(
        actor=None,
        organisation=city.city,
        title="Jak zgłosić dziurę w jezdni",
        slug="dziura-w-jezdni",
        question="Gdzie zgłosić dziurę w jezdni?",
        body="<p>Dziury w jezdni naprawia Zarząd Dróg i Transportu w ciągu pięciu dni roboczych.</p>",
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
    )
    from okienko.cases import actions as case_actions

    case = case_actions.open_case(
        actor=city.consultant,
        organisation=city.city,
        service=city.pothole,
        description="Głęboka dziura w jezdni przy Piotrkowskiej 104, bardzo długi opis " * 3,
        channel="phone",
        answers={"wielkosc": "duza"},
        location={"latitude": "51.7592", "longitude": "19.4560", "address": "ul. Piotrkowska 104"},
    )
    topic = Topic.objects.create(slug="drogi", name="Drogi i chodniki")
    Article.objects.filter(pk=article.pk).update(topic=topic)
    return {
        "service_id": city.pothole.uuid,
        "public_id": case.uuid,
        "slug": topic.slug,
        "token": lookup.make_token("anna.nowak@example.pl"),
        "case": case,
        "article": article,
    }


def _urls(world: dict[str, Any]) -> list[str]:
    urls = []
    for name, pattern in _public_patterns():
        if name in NOT_PAGES:
            continue
        params = {key: world[key] for key in pattern.pattern.converters}
        if name == "knowledge_public:article":
            params = {"slug": world["article"].slug}
        urls.append(reverse(name, kwargs=params))
    return urls


def _check(page: Any, axe: Callable[[Any], None], what: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (
            f"{what} scrolls sideways at {width} px: {page.evaluate('document.scrollingElement.scrollWidth')} > {width}"
        )
        assert page.evaluate(BUTTON_WORD_BREAKS) == [], f"{what}: a button breaks mid-word at {width} px"
    axe(page)


def test_every_public_page_fits_a_phone_and_passes_axe(page: Any, world: dict[str, Any], axe: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    urls = _urls(world)
    assert "/" in urls
    assert f"/sprawy/{world['case'].uuid}/" in urls
    for url in urls:
        page.goto(url)
        _check(page, axe, url)


def test_the_report_sent_and_limited_pages_fit_a_phone(
    page: Any, world: dict[str, Any], axe: Any, settings: Any, live_server: Any
) -> None:
    """The confirmation needs a sent report in the session, the limit page a used-up budget."""
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"/zglos/{world['service_id']}/")
    # The map's boundaries load in the background; sending the form while they still load can end
    # the session under that request (400 "session deleted", seen on a busy CI machine).
    page.wait_for_load_state("networkidle")
    page.get_by_label("Czego dotyczy sprawa?").fill("Dziura w jezdni przy przystanku")
    page.select_option("#id_q_wielkosc", "duza")
    page.fill("#id_address", "Piotrkowska 104")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.wait_for_url("**/zglos/przyjete")
    assert page.locator(".case-number").inner_text() == Case.objects.latest("pk").number
    _check(page, axe, "report sent")
    assert SESSION_SUBMITTED
    settings.PORTAL_RATE_LIMITS = {"report": 0}
    # The browser logs the 429 as a console error, which the page fixture refuses: show it as 200.
    page.route("**/zglos/*/", lambda route: route.fulfill(response=route.fetch(), status=200))
    page.goto(f"/zglos/{world['service_id']}/")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Czego dotyczy sprawa?").fill("Druga dziura")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Zbyt wiele zgłoszeń z Twojego połączenia"
    _check(page, axe, "limited")


def test_the_word_break_check_sees_a_button_broken_mid_word(page: Any) -> None:
    page.set_content('<button style="width:3em;word-break:break-all">Wyślij zgłoszenie</button><button>Szukaj</button>')
    assert page.evaluate(BUTTON_WORD_BREAKS) == ["Wyślij zgłoszenie"]

"""Every public page on a phone: at 390 and 320 px nothing scrolls sideways, buttons do not break
mid-word, and axe-core finds no WCAG 2.1 A/AA violation. The pages come from the portal's and the
public help's URL conf, so a public page added later is checked without editing this list."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from okienko.accounts.models import Organisation, User
from okienko.cases.models import Case
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.jobs import actions as job_actions
from okienko.jobs.alerts import actions as alert_actions
from okienko.jobs.events.models import Event, Training
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.states import EmployerStatus
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article, Topic
from okienko.portal import lookup
from okienko.portal.views import SESSION_SUBMITTED
from tests.browser import scenario
from tests.jobs import events_helpers
from tests.jobs.helpers import TEST, approved, new_nip, published

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


# URL modules included into the portal whose pages this test must reach (signed in where needed);
# pages of other included modules are visited when the world has values for them.
OWN_MODULES = {"okienko.portal.urls", "okienko.portal.account_urls", "okienko.portal.alert_urls"}
PIN = "7913"
EMPLOYER_EMAIL = "kadry@telefon-firma.pl"
EMPLOYER_PASSWORD = "Telefon-firma-haslo-2026"
# The parameters of a page that are not the world's value of the same name.
PARAMS = {
    "portal:account_candidate": {"uuid": "cv_uuid"},
    "portal:employer_offer": {"uuid": "employer_offer_uuid"},
    "portal:employer_offer_candidates": {"uuid": "employer_offer_uuid"},
    "portal:alerts_unsubscribe": {"token": "unsubscribe_token"},
    "portal:account_verify": {"token": "verify_token"},
}


def _public_patterns() -> Iterator[tuple[str, URLPattern]]:
    """The pages of the portal's and the public help's own URL modules (not the included ones)."""
    for name, pattern, module in _patterns():
        if module in TOP_MODULES:
            yield name, pattern


TOP_MODULES = {"okienko.portal.urls", "okienko.knowledge.public_urls"}


def _patterns() -> Iterator[tuple[str, URLPattern, str]]:
    """Every named page of the portal and the public help, with the URL modules the portal
    includes (accounts, alerts, ...), and the module each comes from."""

    def walk(patterns: list[Any], namespace: str, module: str) -> Iterator[tuple[str, URLPattern, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and not pattern.namespace:
                assert str(pattern.pattern) == "", "the walk assumes includes at the portal's root"
                yield from walk(pattern.url_patterns, namespace, getattr(pattern.urlconf_name, "__name__", ""))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}", pattern, module

    for namespace in ("portal", "knowledge_public"):
        resolver = get_resolver().namespace_dict[namespace][1]
        yield from walk(resolver.url_patterns, namespace, getattr(resolver.urlconf_name, "__name__", ""))


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
    # A published job offer of a county labour office, for the portal's offer page.
    office = Organisation.objects.create(
        code="pup-telefon", name="Powiatowy Urząd Pracy", kind=Organisation.Kind.COUNTY_OFFICE
    )
    offer = published(office)
    # The same id names a training and a job fair of the office (/szkolenia/<uuid>/, /wydarzenia/<uuid>/).
    Training.objects.filter(pk=events_helpers.training(office).pk).update(uuid=offer.uuid)
    Event.objects.filter(pk=events_helpers.event(office).pk).update(uuid=offer.uuid)
    # A job seeker with a PIN, a CV that employers may find and a saved search; a verified
    # employer's user with an offer of its own (for the pages that need a signed-in account).
    seeker = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Ewa",
        last_name="Telefoniczna",
        phones=["600300400"],
        status=Client.Status.JOB_SEEKER,
    )
    client_actions.set_pin(actor=None, client=seeker, pin=PIN)
    account = seeker_actions.account_for_client(seeker)
    cv = seeker_actions.save_cv(
        account=account,
        values={"headline": "Kierowca kat. C+E", "main_occupation": "833201", "skills": ["tachograf"], "areas": ["20"]},
    )
    seeker_actions.set_search_consent(account=account, granted=True)
    search = alert_actions.save_search(
        account=account, name="Kierowca", filters={"q": "kierowca"}, by_email=False, by_sms=True, frequency="daily"
    )
    boss = seeker_actions.register_employer_user(
        email=EMPLOYER_EMAIL,
        password=EMPLOYER_PASSWORD,
        nip=new_nip(),
        company="Transport Telefon Sp. z o.o.",
        office=office,
        locality="Białystok",
        teryt_code="2061011",
    )
    seeker_actions.verify_email(seeker_actions.verification_token(boss))
    company = seeker_actions.employer_of(boss)
    assert company is not None
    job_actions.set_employer_status(actor=TEST, employer=company, status=EmployerStatus.VERIFIED)
    own = approved(office, company, title="Kierowca C+E w transporcie krajowym")
    return {
        "service_id": city.pothole.uuid,
        "public_id": case.uuid,
        "slug": topic.slug,
        "token": lookup.make_token("anna.nowak@example.pl"),
        "case": case,
        "article": article,
        "uuid": offer.uuid,
        "client_number": seeker.number,
        "cv_uuid": cv.uuid,
        "employer_offer_uuid": own.uuid,
        "unsubscribe_token": alert_actions.unsubscribe_token(search),
        "verify_token": seeker_actions.verification_token(boss),
    }


def _urls(world: dict[str, Any], modules: set[str] | None = TOP_MODULES) -> list[str]:
    urls = []
    for name, pattern, module in _patterns():
        if name in NOT_PAGES or (modules is not None and module not in modules):
            continue
        keys = PARAMS.get(name, {})
        missing = [key for key in pattern.pattern.converters if keys.get(key, key) not in world]
        if missing:
            assert module not in OWN_MODULES, f"the world has no {missing} for {name}"
            warnings.warn(f"test_phone: no world value {missing} for {name}: not visited", stacklevel=1)
            continue
        params = {key: world[keys.get(key, key)] for key in pattern.pattern.converters}
        if name == "knowledge_public:article":
            params = {"slug": world["article"].slug}
        urls.append(reverse(name, kwargs=params))
    return urls


def _signed_in(browser: Any, live_server: Any, how: str, number: str = "") -> Any:
    """A page of a new browser context signed in through the portal's own form."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="pl-PL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/konto/logowanie/")
    if how == "seeker":
        page.fill("#id_pin-number", number)
        page.fill("#id_pin-pin", PIN)
        page.locator("form:has(#id_pin-number) button[type=submit]").click()
    else:
        page.fill("#id_email-email", EMPLOYER_EMAIL)
        page.fill("#id_email-password", EMPLOYER_PASSWORD)
        page.locator("form:has(#id_email-email) button[type=submit]").click()
    page.wait_for_url("**/konto/")
    return page


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


def test_every_account_page_fits_a_phone_and_passes_axe(
    page: Any, browser: Any, live_server: Any, world: dict[str, Any], axe: Any, settings: Any
) -> None:
    """The pages of the URL modules the portal includes (accounts, alerts, employers' offers and
    those added later): each is opened as nobody, else as the job seeker, else as the employer —
    whoever gets the page (a sign-in redirect or a 404 for the other kind of account moves on).
    Pages that only take a POST (405) or are not HTML (the data download) are not pages."""
    settings.JOBS_CANDIDATE_LIMITS = {"search": 10_000, "view": 10_000}
    seeker = _signed_in(browser, live_server, "seeker", world["client_number"])
    employer = _signed_in(browser, live_server, "employer")
    visited: dict[str, str] = {}
    skipped: dict[str, int] = {}
    for url in _urls(world, modules=None):
        for who, viewer in (("nobody", page), ("seeker", seeker), ("employer", employer)):
            answer = viewer.request.get(url, max_redirects=0)
            if answer.status in (302, 404) and who != "employer":
                continue
            if answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html"):
                viewer.set_viewport_size({"width": 390, "height": 800})
                viewer.goto(url)
                _check(viewer, axe, f"{url} as {who}")
                visited[url] = who
            else:
                skipped[url] = answer.status
            break
    seeker.context.close()
    employer.context.close()
    assert visited["/konto/"] == "seeker"
    assert visited["/konto/alerty/"] == "seeker"
    assert visited["/konto/kandydaci/"] == "employer"
    assert visited["/konto/oferty/nowa/"] == "employer"
    assert visited[f"/konto/oferty/{world['employer_offer_uuid']}/kandydaci/"] == "employer"
    assert visited[f"/konto/kandydaci/{world['cv_uuid']}/"] == "employer"
    assert visited[f"/alerty/wypisz/{world['unsubscribe_token']}/"] == "nobody"
    assert visited["/deklaracja-dostepnosci/"] == "nobody"
    own = set(_urls(world, OWN_MODULES - TOP_MODULES))
    assert own - set(visited) == {u for u in own if u in skipped}, skipped
    # Not pages: the POST-only addresses (405) and the data download (JSON); the code step of
    # two-step sign-in exists only after a first step (tests/browser/test_portal_totp.py walks it).
    assert {u for u in own if skipped.get(u) not in (None, 405)} == {
        "/konto/moje-dane.json",
        "/konto/logowanie/kod/",
    }, skipped


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

"""The consultant's browser phone (issue 16, part 8) in Chromium with a fake microphone: JsSIP on
the phone console registers to a fake SIP-over-WebSocket registrar (RFC 7118, digest challenge
first), the console names the browser as the consultant's phone at login (the engine keeps it),
a call sent to the browser is answered at once (200 OK with an SDP answer) or with the button,
mute and hang-up work; a refused password and a refused microphone are explained. The page's own
CSP is enforced (only the registrar's origin is added to connect-src, as the setting does), and
axe finds nothing at 1366 and 390 px with the panel on a call."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.telephony.models import AgentSipAccount, PhoneQueue
from tests.browser.conftest import AXE, WCAG_TAGS, launch
from tests.browser.sip_ws_registrar import Registrar, fake_registrar, wait
from tests.browser.test_chat import SIZES, _table_locked
from tests.telephony.test_runtime import running_engine

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Tajne-Haslo-SIP-9f3c"
STATE = "#browser-phone .bphone-state"


@pytest.fixture(scope="module")
def media_browser(playwright_driver: Any) -> Iterator[Any]:
    """Chromium with a fake microphone that needs no permission prompt (this module only)."""
    browser = launch(playwright_driver, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
    yield browser
    browser.close()


@pytest.fixture
def registrar() -> Iterator[Registrar]:
    server = fake_registrar(username="u1", password=SECRET)
    yield server
    server.stop()


@pytest.fixture
def phone_site(asgi_url: str, settings: Any, region: Organisation, registrar: Registrar) -> Iterator[Any]:
    office = Organisation.objects.get(code="pup-a")
    PhoneQueue.objects.create(organisation=office, code="tel-pup-a", name="PUP A — infolinia")
    settings.TELEPHONY_WEBRTC_WSS_URL = registrar.url
    settings.TELEPHONY_WEBRTC_SIP_DOMAIN = "127.0.0.1"
    settings.TELEPHONY_WEBRTC_DIAL = "sip:{username}@{domain}"
    settings.TELEPHONY_WEBRTC_ICE_SERVERS = []
    settings.TELEPHONY_WEBRTC_AUTO_ANSWER = True
    settings.TELEPHONY_AGENT_ENDPOINT = "sip:agent-{user}@127.0.0.1:5070"
    # What settings.py adds for OKIENKO_WEBRTC_WSS_URL: the exchange's origin in connect-src (ws:// here).
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["connect-src"] = [*policy["DIRECTIVES"]["connect-src"], registrar.url]
    settings.CONTENT_SECURITY_POLICY = policy
    with running_engine() as engine:
        settings.TELEPHONY_ENGINE_URL = engine.url
        yield engine, asgi_url


def _consultant(make_user: Callable[..., User], password: str = SECRET) -> User:
    user = make_user("konsultantka", roles=[(Organisation.objects.get(code="pup-a"), Role.CONSULTANT)])
    account = AgentSipAccount(user=user, username="u1")
    account.set_password(password)
    account.save()
    return user


def _desk(browser: Any, url: str, user: User, errors: list[str], size: str = "desktop") -> tuple[Any, Any]:
    login = WebClient()
    login.force_login(user)
    context = browser.new_context(base_url=url, locale="pl-PL", viewport=SIZES[size], permissions=["microphone"])
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": login.cookies["sessionid"].value, "url": url}])
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return context, page


def _axe(page: Any) -> None:
    """axe-core evaluated through the debugger (the page's CSP stays enforced)."""
    page.evaluate(Path(AXE).read_text(encoding="utf-8"))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    violations = [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in result["violations"]]
    assert violations == [], "\n".join(violations)


def _shown(page: Any) -> str:
    return str(page.locator("#browser-phone").inner_text())


def _state(page: Any, text: str) -> None:
    page.locator(STATE).get_by_text(text).wait_for()


@pytest.mark.parametrize("size", SIZES)
def test_the_browser_registers_is_named_at_login_and_answers_the_engines_call(
    media_browser: Any, phone_site: Any, registrar: Registrar, make_user: Callable[..., User], size: str, caplog: Any
) -> None:
    engine, url = phone_site
    consultant = _consultant(make_user)
    errors: list[str] = []
    context, desk = _desk(media_browser, url, consultant, errors, size)
    try:
        desk.goto("/desk/phone/")
        desk.locator(".phone-state").get_by_text("niezalogowany").wait_for()
        _state(desk, "niepołączony")
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").click()
        assert wait(registrar.registered), (registrar.log, _shown(desk), errors)
        _state(desk, "gotowy do odbierania połączeń w tej przeglądarce")
        assert registrar.challenges >= 1
        assert registrar.bad_digests == 0

        desk.get_by_role("button", name="Gotowy").click()
        desk.locator(".phone-state").get_by_text("gotowy").wait_for()
        for _ in range(50):
            if "sip:u1@127.0.0.1" in engine.runtime.endpoints.values():
                break
            desk.wait_for_timeout(100)
        assert engine.runtime.endpoints.get(str(consultant.pk)) == "sip:u1@127.0.0.1"

        registrar.invite("centrala")
        assert wait(registrar.answered), registrar.log
        assert registrar.answer is not None
        assert "m=audio" in registrar.answer.body
        assert "a=fingerprint:" in registrar.answer.body
        desk.locator(".bphone-incoming").get_by_text("odebrane automatycznie", exact=False).wait_for()
        _state(desk, "trwa rozmowa")
        _axe(desk)

        mute = desk.get_by_role("button", name="Wycisz mikrofon")
        mute.click()
        assert desk.get_by_role("button", name="Włącz mikrofon").get_attribute("aria-pressed") == "true"
        desk.get_by_role("button", name="Rozłącz", exact=True).click()
        assert wait(registrar.ended), registrar.log
        _state(desk, "gotowy do odbierania połączeń w tej przeglądarce")
        assert desk.locator(".bphone-call").is_hidden()

        desk.get_by_role("button", name="Rozłącz telefon w przeglądarce").click()
        _state(desk, "niepołączony")
        for _ in range(50):
            if not registrar.registered.is_set():
                break
            desk.wait_for_timeout(100)
        assert not registrar.registered.is_set()  # REGISTER with expires 0
        desk_phone = f"sip:agent-{consultant.pk}@127.0.0.1:5070"  # OKIENKO_AGENT_ENDPOINT's default
        for _ in range(50):
            if engine.runtime.endpoints.get(str(consultant.pk)) == desk_phone:
                break
            desk.wait_for_timeout(100)
        assert engine.runtime.endpoints.get(str(consultant.pk)) == desk_phone  # the usual phone again
        _axe(desk)
    except Exception:
        if any(e[:1] == "5" for e in errors) and _table_locked(caplog):
            pytest.skip(f"SQLite shared-cache table lock in the test database, not the product: {errors}")
        raise
    finally:
        context.close()
    assert errors == []


def test_answered_with_the_button_when_not_automatic(
    media_browser: Any, phone_site: Any, registrar: Registrar, make_user: Callable[..., User], settings: Any
) -> None:
    settings.TELEPHONY_WEBRTC_AUTO_ANSWER = False
    _, url = phone_site
    errors: list[str] = []
    context, desk = _desk(media_browser, url, _consultant(make_user), errors)
    try:
        desk.goto("/desk/phone/")
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").click()
        assert wait(registrar.registered), registrar.log
        _state(desk, "gotowy do odbierania połączeń w tej przeglądarce")
        registrar.invite("centrala")
        answer = desk.get_by_role("button", name="Odbierz w przeglądarce")
        answer.wait_for()
        _state(desk, "połączenie przychodzące")
        assert not registrar.answered.is_set()
        answer.click()
        assert wait(registrar.answered), registrar.log
        _state(desk, "trwa rozmowa")
    finally:
        context.close()
    assert errors == []


def test_a_refused_password_and_a_refused_microphone_are_explained(
    media_browser: Any, phone_site: Any, registrar: Registrar, make_user: Callable[..., User]
) -> None:
    _, url = phone_site
    errors: list[str] = []
    context, desk = _desk(media_browser, url, _consultant(make_user, password="zle-haslo"), errors)
    try:
        desk.goto("/desk/phone/")
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").click()
        desk.get_by_role("alert").get_by_text("Centrala odrzuciła", exact=False).wait_for()
        assert registrar.bad_digests >= 1
        assert not registrar.registered.is_set()
        _state(desk, "niepołączony")

        desk.add_init_script(
            "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
        )
        desk.reload()
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").click()
        desk.get_by_role("alert").get_by_text("nie ma zgody na użycie mikrofonu", exact=False).wait_for()
        assert desk.get_by_role("button", name="Połącz telefon w przeglądarce").is_enabled()

        registrar.stop()  # the exchange is down: said so, and the consultant can still disconnect
        desk.close()
        desk = context.new_page()
        desk.goto("/desk/phone/")
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").click()
        desk.get_by_role("alert").get_by_text("Nie można połączyć się z centralą", exact=False).wait_for()
        desk.get_by_role("button", name="Rozłącz telefon w przeglądarce").click()
        _state(desk, "niepołączony")
        desk.get_by_role("button", name="Połącz telefon w przeglądarce").wait_for()
    finally:
        context.close()
    assert errors == []

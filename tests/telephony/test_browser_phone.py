"""The consultant's browser phone (issue 16, part 8): the SIP account kept sealed and written only
in the admin (audited, never shown back), handed only to its owner's console by a JSON address
that is never cached; the console shows the panel only when the setting and the account exist;
the WSS origin joins the CSP's connect-src only when configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core import secretbox
from okienko.core.models import AuditRecord
from okienko.telephony.models import AgentSipAccount

pytestmark = pytest.mark.django_db

URL = "/desk/phone/browser-phone"
WSS = "wss://pbx.example.pl:8089/ws"
SECRET = "Tajne-Haslo-SIP-9f3c"


@pytest.fixture
def webrtc(settings: Any) -> Any:
    settings.TELEPHONY_WEBRTC_WSS_URL = WSS
    settings.TELEPHONY_WEBRTC_SIP_DOMAIN = "pbx.example.pl"
    settings.TELEPHONY_WEBRTC_DIAL = "PJSIP/{username}"
    settings.TELEPHONY_WEBRTC_ICE_SERVERS = [{"urls": "stun:stun.example.pl:3478"}]
    settings.TELEPHONY_WEBRTC_AUTO_ANSWER = True
    return settings


@pytest.fixture
def consultant(make_user: Callable[..., User], region: Organisation) -> User:
    return make_user("konsultantka", roles=[(Organisation.objects.get(code="pup-a"), Role.CONSULTANT)])


def _account(user: User, username: str = "u1", password: str = SECRET) -> AgentSipAccount:
    account = AgentSipAccount(user=user, username=username)
    account.set_password(password)
    account.save()
    return account


def _signed_in(user: User) -> WebClient:
    web = WebClient(HTTP_ACCEPT_LANGUAGE="pl")
    web.force_login(user)
    return web


def _no_store(response: Any) -> None:
    cache = response["Cache-Control"]
    assert "no-store" in cache, cache
    assert "private" in cache, cache
    assert response["Pragma"] == "no-cache"


def test_the_password_is_stored_sealed(consultant: User) -> None:
    account = _account(consultant)
    assert SECRET not in account.password_sealed
    assert AgentSipAccount.objects.get().password() == SECRET


def test_a_consultant_gets_their_own_account_never_cached(webrtc: Any, consultant: User, settings: Any) -> None:
    _account(consultant)
    response = _signed_in(consultant).get(URL)
    assert response.status_code == 200
    _no_store(response)
    assert response.json() == {
        "wss_url": WSS,
        "uri": "sip:u1@pbx.example.pl",
        "username": "u1",
        "password": SECRET,
        "domain": "pbx.example.pl",
        "ice_servers": [{"urls": "stun:stun.example.pl:3478"}],
        "auto_answer": True,
        "phone": "PJSIP/u1",
        "desk_phone": settings.TELEPHONY_AGENT_ENDPOINT.format(user=consultant.pk),
    }


def test_the_sip_domain_defaults_to_the_exchanges_host(webrtc: Any, consultant: User) -> None:
    webrtc.TELEPHONY_WEBRTC_SIP_DOMAIN = ""
    webrtc.TELEPHONY_WEBRTC_DIAL = "sip:{username}@{domain}"
    _account(consultant)
    body = _signed_in(consultant).get(URL).json()
    assert (body["uri"], body["phone"]) == ("sip:u1@pbx.example.pl", "sip:u1@pbx.example.pl")


def test_nobody_gets_another_consultants_account(webrtc: Any, consultant: User, make_user: Callable[..., User]) -> None:
    _account(consultant)
    office = Organisation.objects.get(code="pup-a")
    colleague = make_user("kolega", roles=[(office, Role.CONSULTANT)])
    supervisor = make_user("kierownik", roles=[(office, Role.SUPERVISOR)])
    admin = make_user("admin", roles=[(office, Role.ADMINISTRATOR)])
    for user, status in ((colleague, 404), (supervisor, 404), (admin, 403)):
        response = _signed_in(user).get(URL, {"user": str(consultant.pk), "username": "u1"})
        assert response.status_code == status, user
        assert SECRET.encode() not in response.content
        assert b"u1" not in response.content
        assert response["Content-Type"] == "application/problem+json"
        _no_store(response)
    anonymous = WebClient().get(URL)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_no_account_when_off_inactive_or_without_password(webrtc: Any, consultant: User) -> None:
    account = _account(consultant)
    web = _signed_in(consultant)
    webrtc.TELEPHONY_WEBRTC_WSS_URL = ""
    assert web.get(URL).json()["type"].endswith("/not-configured")
    webrtc.TELEPHONY_WEBRTC_WSS_URL = WSS
    account.active = False
    account.save()
    assert web.get(URL).status_code == 404
    account.active, account.password_sealed = True, ""
    account.save()
    assert web.get(URL).status_code == 404


def test_a_password_sealed_under_another_key_is_a_clear_error(webrtc: Any, consultant: User) -> None:
    account = _account(consultant)
    account.password_sealed = secretbox._fernet("some other key").encrypt(b"x").decode()
    account.save()
    response = _signed_in(consultant).get(URL)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/unreadable")


def test_only_get(webrtc: Any, consultant: User) -> None:
    _account(consultant)
    web = WebClient(enforce_csrf_checks=False)
    web.force_login(consultant)
    assert web.post(URL).status_code == 405


def test_the_console_shows_the_panel_only_with_the_setting_and_an_account(webrtc: Any, consultant: User) -> None:
    web = _signed_in(consultant)
    assert b"browser-phone" not in web.get("/desk/phone/").content  # no account yet
    _account(consultant)
    page = web.get("/desk/phone/").content.decode()
    assert 'id="browser-phone"' in page
    assert "vendor/jssip.min.js" in page
    assert "browser_phone.js" in page
    assert SECRET not in page
    assert "sip:u1@" not in page
    assert '"u1"' not in page
    assert "microphone=(self)" in web.get("/desk/phone/")["Permissions-Policy"]
    webrtc.TELEPHONY_WEBRTC_WSS_URL = ""
    response = web.get("/desk/phone/")
    assert "browser-phone" not in response.content.decode()
    assert "microphone=()" in response["Permissions-Policy"]


def _csp_connect(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "okienko.conf.settings", **env}
    out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_the_exchanges_origin_joins_connect_src_only_when_configured() -> None:
    assert _csp_connect({"OKIENKO_WEBRTC_WSS_URL": ""}) == "'self'"
    assert _csp_connect({"OKIENKO_WEBRTC_WSS_URL": WSS}) == "'self' wss://pbx.example.pl:8089"


def test_ice_servers_must_be_a_json_list() -> None:
    code = "import django; django.setup()"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "okienko.conf.settings"}
    for bad in ("{", '{"urls": "stun:x"}'):
        environment["OKIENKO_WEBRTC_ICE_SERVERS"] = bad
        out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)
        assert out.returncode != 0
        assert "OKIENKO_WEBRTC_ICE_SERVERS" in out.stderr


def test_administrators_write_the_password_never_see_it_and_it_is_audited(consultant: User) -> None:
    root = User.objects.create_superuser("root", "root@example.pl", "pass-1234-word")
    web = WebClient(HTTP_ACCEPT_LANGUAGE="pl")
    web.force_login(root)
    add = "/admin/telephony/agentsipaccount/add/"
    refused = web.post(add, {"user": consultant.pk, "username": "u1", "active": "on", "sip_password": ""})
    assert refused.status_code == 200
    assert not AgentSipAccount.objects.exists()
    answer = web.post(add, {"user": consultant.pk, "username": "u1", "active": "on", "sip_password": SECRET})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    account = AgentSipAccount.objects.get()
    assert account.password() == SECRET
    change = f"/admin/telephony/agentsipaccount/{account.pk}/change/"
    page = web.get(change).content.decode()
    assert SECRET not in page
    assert account.password_sealed not in page
    web.post(change, {"user": consultant.pk, "username": "u1", "active": "on", "sip_password": ""})
    assert AgentSipAccount.objects.get().password() == SECRET  # left empty: kept
    web.post(change, {"user": consultant.pk, "username": "u1", "active": "on", "sip_password": "nowe-haslo-1"})
    assert AgentSipAccount.objects.get().password() == "nowe-haslo-1"
    records = AuditRecord.objects.filter(action__startswith="telephony.sip_account").order_by("pk")
    assert [r.action for r in records] == [
        "telephony.sip_account_created",
        "telephony.sip_account_changed",
        "telephony.sip_account_changed",
    ]
    dump = json.dumps([r.changes for r in records], default=str)
    assert SECRET not in dump
    assert "nowe-haslo-1" not in dump
    assert records.last().changes["password"] == ["***", "***"]  # type: ignore[union-attr]


def test_the_admin_refuses_a_sip_user_name_that_is_no_uri_part(consultant: User) -> None:
    root = User.objects.create_superuser("root", "root@example.pl", "pass-1234-word")
    web = WebClient(HTTP_ACCEPT_LANGUAGE="pl")
    web.force_login(root)
    for bad in ("u 1", "u1@pbx", "<script>", "ą"):
        answer = web.post(
            "/admin/telephony/agentsipaccount/add/",
            {"user": consultant.pk, "username": bad, "active": "on", "sip_password": SECRET},
        )
        assert answer.status_code == 200, bad
    assert not AgentSipAccount.objects.exists()

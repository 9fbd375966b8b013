"""The client address and the login lockout (issue 10, defect 6).

One function (``core.middleware.client_ip``) resolves the address for every per-IP decision:
``REMOTE_ADDR``, and ``X-Forwarded-For`` only when ``REMOTE_ADDR`` is a configured trusted proxy.
Sign-in is locked per user name from any address, and one address is refused after many failures
across user names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIRequestFactory

from okienko.accounts.models import User
from okienko.api.throttling import TokenRateThrottle
from okienko.conf import env
from okienko.core.middleware import client_ip
from okienko.core.models import AuditRecord

PASSWORD = "pass-1234-word"
LOGIN = "/accounts/login/"


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))  # type: ignore[arg-type]


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert _ip("127.0.0.1", "203.0.113.7") == "127.0.0.1"
    assert _ip("198.51.100.4", "203.0.113.7") == "198.51.100.4"


def test_behind_a_trusted_proxy_the_right_most_untrusted_forwarded_address_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert _ip("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    # The client wrote the left part itself; the proxies appended the rest.
    assert _ip("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.2.3") == "203.0.113.7"
    assert _ip("10.0.0.5", " 2001:db8::5 ") == "2001:db8::5"
    assert _ip("127.0.0.1", "10.0.0.2, 10.0.0.3") == "10.0.0.2"  # only proxies: the farthest one
    assert _ip("127.0.0.1", "not-an-address") == "127.0.0.1"
    assert _ip("127.0.0.1") == "127.0.0.1"
    # A client that is not a trusted proxy cannot choose its address.
    assert _ip("198.51.100.4", "203.0.113.7") == "198.51.100.4"


def test_trusted_proxies_are_read_from_the_environment_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKIENKO_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,2001:db8::/32")
    assert env.read_environment().trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32")
    monkeypatch.delenv("OKIENKO_TRUSTED_PROXIES")
    assert env.read_environment().trusted_proxies == ()
    monkeypatch.setenv("OKIENKO_TRUSTED_PROXIES", "proxy.local")
    with pytest.raises(env.ConfigError, match="OKIENKO_TRUSTED_PROXIES must list IP addresses"):
        env.read_environment()


def _fail(client: Client, username: str, **headers: str) -> int:
    return int(client.post(LOGIN, {"username": username, "password": "wrong"}, **headers).status_code)  # type: ignore[arg-type]


def _login(client: Client, username: str, **headers: str) -> int:
    return int(client.post(LOGIN, {"username": username, "password": PASSWORD}, **headers).status_code)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_unlock_a_locked_account(make_user: Callable[..., User]) -> None:
    make_user("ola")
    attacker = Client()
    for _ in range(5):
        _fail(attacker, "ola")
    assert _login(attacker, "ola", HTTP_X_FORWARDED_FOR="203.0.113.99") == 429
    # Nor does an address that really is different: the lock is on the user name.
    assert _login(Client(REMOTE_ADDR="198.51.100.20"), "ola") == 429
    assert "_auth_user_id" not in attacker.session


@pytest.mark.django_db
def test_many_user_names_from_one_address_get_the_address_refused(make_user: Callable[..., User]) -> None:
    make_user("ola")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [_fail(attacker, f"user{i}") for i in range(10) for _ in range(3)]
    # No user name reached its own limit of 5; the 30th failure from the address locks it.
    assert statuses == [200] * 29 + [429]
    assert _login(attacker, "ola") == 429  # but the address is refused, even with a right password
    assert _login(Client(REMOTE_ADDR="198.51.100.8"), "ola") == 302  # ola herself is not locked


@pytest.mark.django_db
def test_signing_in_does_not_clear_the_failures_of_the_address(make_user: Callable[..., User]) -> None:
    """An attacker with one valid account cannot reset the address's count by signing in."""
    make_user("mallory")
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for i in range(29):
        _fail(attacker, f"victim{i % 7}")
    assert _login(attacker, "mallory") == 302
    attacker.post("/accounts/logout/")
    _fail(attacker, "victim0")  # the 30th failure from this address
    assert _login(attacker, "mallory") == 429


@pytest.mark.django_db
def test_with_a_trusted_proxy_lockout_and_audit_use_the_forwarded_address(
    settings: Any, make_user: Callable[..., User]
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    make_user("ola")
    proxy = Client()  # REMOTE_ADDR 127.0.0.1, the trusted proxy
    for i in range(30):
        _fail(proxy, f"user{i}", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert AuditRecord.objects.filter(action="auth.login_failed").values_list("ip", flat=True).distinct().get() == (
        "203.0.113.50"
    )
    assert _login(proxy, "ola", HTTP_X_FORWARDED_FOR="203.0.113.50") == 429
    # Other residents behind the same proxy are not refused.
    assert _login(proxy, "ola", HTTP_X_FORWARDED_FOR="203.0.113.51") == 302


def test_the_api_throttle_counts_anonymous_callers_by_the_resolved_address(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    request = APIRequestFactory().get("/api/v1/", REMOTE_ADDR="198.51.100.3", HTTP_X_FORWARDED_FOR="203.0.113.1")
    from rest_framework.request import Request

    assert TokenRateThrottle().get_ident(Request(request)) == "198.51.100.3"


def test_the_web_server_ignores_forwarded_headers_and_sends_no_server_header() -> None:
    """uvicorn's own proxy handling would believe any X-Forwarded-For from loopback (the forged
    address of the report) and its Server header names the product (defect 11)."""
    from okienko.core.management.commands.runall import web_server_command

    command = web_server_command("python", "127.0.0.1", "8000")
    assert "--no-proxy-headers" in command
    assert "--no-server-header" in command

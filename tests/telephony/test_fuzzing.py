"""Bounded fuzzing of the phone pages: reports, the staffing calculator, the screen pop, the
wrap-up and callback outcomes answer every hostile value without a 5xx and change nothing they
should not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.interactions.models import Callback, Interaction
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=80))
SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def boss(make_user: Any, region: Organisation) -> Any:
    return make_user("kierownik", roles=[(region, Role.SUPERVISOR), (region, Role.ANALYST)])


@SETTINGS
@given(start=HOSTILE, end=HOSTILE, interval=HOSTILE, by=HOSTILE, fmt=HOSTILE)
def test_reports_never_fail(
    client: WebClient, boss: Any, start: str, end: str, interval: str, by: str, fmt: str
) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    answer = client.get(
        "/desk/phone/reports/", {"from": start, "to": end, "interval": interval, "by": by, "format": fmt}
    )
    assert answer.status_code in (200, 400), answer.status_code


@SETTINGS
@given(calls=HOSTILE, aht=HOSTILE, sl=HOSTILE, seconds=HOSTILE, shrinkage=HOSTILE, patience=HOSTILE)
def test_staffing_never_fails(
    client: WebClient, boss: Any, calls: str, aht: str, sl: str, seconds: str, shrinkage: str, patience: str
) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    query = {
        "calls_per_hour": calls,
        "aht": aht,
        "target_sl": sl,
        "target_seconds": seconds,
        "shrinkage": shrinkage,
        "patience": patience,
    }
    assert client.get("/desk/phone/staffing/", query).status_code in (200, 400)


@SETTINGS
@given(client_id=HOSTILE, interaction=HOSTILE, outcome=HOSTILE, notes=HOSTILE, callback=HOSTILE, hours=HOSTILE)
def test_the_consoles_forms_never_fail(
    client: WebClient,
    make_user: Any,
    region: Organisation,
    client_id: str,
    interaction: str,
    outcome: str,
    notes: str,
    callback: str,
    hours: str,
) -> None:
    client.raise_request_exception = False
    office = Organisation.objects.get(code="pup-a")
    user = make_user("konsultant", roles=[(office, Role.CONSULTANT)]) if not _has("konsultant") else _get("konsultant")
    client.force_login(user)
    assert client.get("/desk/phone/pop", {"client": client_id}).status_code in (200, 400, 404)
    wrap = client.post("/desk/phone/wrap-up", {"interaction": interaction, "outcome": outcome, "notes": notes})
    assert wrap.status_code in (302, 400)
    done = client.post("/desk/phone/callback", {"callback": callback, "outcome": outcome, "hours": hours})
    assert done.status_code in (302, 400, 404)
    assert Interaction.objects.count() == 0
    assert Callback.objects.count() == 0


def _has(username: str) -> bool:
    from okienko.accounts.models import User

    return User.objects.filter(username=username).exists()


def _get(username: str) -> Any:
    from okienko.accounts.models import User

    return User.objects.get(username=username)


@SETTINGS
@given(user=HOSTILE, username=HOSTILE, accept=HOSTILE, method=st.sampled_from(["get", "post", "put", "delete", "head"]))
def test_the_browser_phone_address_never_fails_nor_leaks(
    client: WebClient, make_user: Any, region: Organisation, user: str, username: str, accept: str, method: str
) -> None:
    from django.test import override_settings

    from okienko.telephony.models import AgentSipAccount

    client.raise_request_exception = False
    office = Organisation.objects.get(code="pup-a")
    me = make_user("konsultant", roles=[(office, Role.CONSULTANT)]) if not _has("konsultant") else _get("konsultant")
    other = make_user("kolega", roles=[(office, Role.CONSULTANT)]) if not _has("kolega") else _get("kolega")
    if not AgentSipAccount.objects.filter(user=other).exists():
        account = AgentSipAccount(user=other, username="kolega-sip")
        account.set_password("sip-haslo-kolegi-7d1e")
        account.save()
    client.force_login(me)
    accept = "".join(ch for ch in accept if 32 <= ord(ch) < 127)
    with override_settings(TELEPHONY_WEBRTC_WSS_URL="wss://pbx.example.pl:8089/ws"):
        send = getattr(client, method)
        answer = send("/desk/phone/browser-phone", {"user": user, "username": username}, HTTP_ACCEPT=accept)
    assert answer.status_code in (400, 404, 405), answer.status_code  # "konsultant" has no account
    assert b"sip-haslo-kolegi" not in answer.content


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("1999-12-31", "2101-01-01")]
)
def test_reports_outside_the_calendar_say_why(client: WebClient, boss: Any, start: str, end: str) -> None:
    client.force_login(boss)
    answer = client.get("/desk/phone/reports/", {"from": start, "to": end}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert "Choose dates between 2000 and 2100." in answer.content.decode()

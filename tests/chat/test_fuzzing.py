"""Bounded fuzzing of the chat's HTTP ends: the availability endpoint, starting a chat and the
console's forms answer every hostile value without a 5xx, and the chat stays in a known state."""

from __future__ import annotations

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.channels.chat.models import AgentPresence, ChatSession
from tests.chat.conftest import Desk, start
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=120))
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@SETTINGS
@given(org=HOSTILE, name=HOSTILE, email=HOSTILE, page=HOSTILE, transcript=HOSTILE)
def test_the_public_ends_never_fail(
    client: WebClient, desk: Desk, org: str, name: str, email: str, page: str, transcript: str
) -> None:
    client.raise_request_exception = False
    answer = client.get("/czat/dostepnosc", {"org": org})
    assert answer.status_code in (200, 400), (org, answer.status_code)
    fields = {"org": org, "name": name, "email": email, "page": page, "transcript": transcript}
    started = client.post("/czat/start", fields)
    assert started.status_code in (201, 400, 409, 429), (fields, started.status_code)
    ChatSession.objects.all().delete()


@SETTINGS
@given(
    org=HOSTILE,
    capacity=HOSTILE,
    online=HOSTILE,
    email=HOSTILE,
    case=HOSTILE,
    action=st.sampled_from(["accept", "close", "record", "transcript", "suggestions", ""]),
)
def test_the_console_forms_never_fail(
    client: WebClient, desk: Desk, org: str, capacity: str, online: str, email: str, case: str, action: str
) -> None:
    client.raise_request_exception = False
    client.force_login(desk.agent)
    session = ChatSession.objects.first() or start(desk)
    response = client.post("/desk/chat/presence", {"org": org, "capacity": capacity, "online": online})
    assert response.status_code in (302, 400), response.status_code  # 400: refused whole by the input limits
    url = f"/desk/chat/{session.pk}/{action}"
    answer = client.get(url) if action in ("suggestions", "") else client.post(url, {"email": email, "case": case})
    assert answer.status_code < 500, (url, answer.status_code)
    session.refresh_from_db()
    assert session.status in ChatSession.Status.values
    assert all(1 <= p.capacity <= 20 for p in AgentPresence.objects.all())

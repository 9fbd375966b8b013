"""Bounded fuzzing of the desk's e-mail pages (queue filters, every triage action with hostile
values): no 5xx, and a message never ends in a state its actions cannot produce."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage
from tests.channels.conftest import Post, message
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=120))
ACTIONS = st.one_of(st.sampled_from(["claim", "release", "link", "case", "add", "answer", "spam", "done"]), HOSTILE)
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def mail(post: Post) -> InboundMessage:
    return ingest(post.mailbox, message(sender="ewa@elsewhere.example", message_id="<fz-1@x>"))


@SETTINGS
@given(action=ACTIONS, value=HOSTILE, show=HOSTILE)
def test_the_triage_pages_never_fail(
    client: WebClient, post: Post, mail: InboundMessage, action: str, value: str, show: str
) -> None:
    client.raise_request_exception = False
    client.force_login(post.consultant)
    fields: dict[str, Any] = {
        "action": action,
        "client": value,
        "service": value,
        "case": value,
        "answer": value,
        "article": value,
        "note": value,
        "description": value,
        "take_over": value,
    }
    response = client.post(f"/desk/mail/{mail.pk}/", fields)
    assert response.status_code < 500, (fields, response.status_code)
    assert client.get("/desk/mail/", {"show": show}).status_code < 500
    assert client.get(f"/desk/mail/{mail.pk}/").status_code < 500
    mail.refresh_from_db()
    assert mail.status in {s.value for s in InboundMessage.Status}

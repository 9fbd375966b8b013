"""The desk's one inbox lists what waits for a person on every channel — e-mail awaiting triage,
SMS and letters not yet answered or turned into a case, web reports no unit has taken — oldest
first, filtered by channel and office, and nothing of another office."""

from __future__ import annotations

import pytest
from django.test import Client as WebClient

from okienko.channels.email.pipeline import ingest
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction
from tests.channels.conftest import Post, message

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(post: Post) -> None:
    ingest(post.mailbox, message(sender="ewa@elsewhere.example", subject="Wywóz gabarytów", message_id="<i-1@x>"))
    record_interaction(
        actor=None,
        channel="sms",
        organisation=post.centre,
        question="Kiedy naprawicie latarnię?",
        outcome=Interaction.Outcome.OTHER,
        contact_detail="+48609999888",
    )
    record_interaction(
        actor=None,
        channel="letter",
        organisation=post.centre,
        client=post.client,
        question="Wniosek o przycięcie drzewa",
        outcome=Interaction.Outcome.OTHER,
    )
    record_interaction(actor=None, channel="phone", organisation=post.centre, question="Telefon — załatwiony")


def test_everything_waiting_on_every_channel(post: Post, waiting: None, client: WebClient) -> None:
    client.force_login(post.consultant)
    page = client.get("/desk/inbox/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    for text in ("Wywóz gabarytów", "Kiedy naprawicie latarnię?", "Wniosek o przycięcie drzewa"):
        assert text in page
    assert "Telefon — załatwiony" not in page  # answered at first contact: nothing waits
    only_sms = client.get("/desk/inbox/", {"channel": "sms"}).content.decode()
    assert "Kiedy naprawicie latarnię?" in only_sms
    assert "Wywóz gabarytów" not in only_sms
    assert client.get("/desk/inbox/", {"channel": "nonsense", "office": "<x>"}).status_code == 200


def test_another_office_sees_none_of_it(post: Post, waiting: None, client: WebClient) -> None:
    for user in (post.outsider, post.expert):  # another city; a unit without the mailbox
        client.force_login(user)
        page = client.get("/desk/inbox/").content.decode()
        for text in ("Wywóz gabarytów", "Kiedy naprawicie latarnię?", "Wniosek o przycięcie drzewa"):
            assert text not in page

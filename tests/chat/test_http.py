"""The chat over HTTP: availability, starting a chat, and the desk console's pages and actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.channels.chat import service
from okienko.channels.chat.models import AgentPresence, ChatMessage, ChatSession
from okienko.core import clock, events
from okienko.core.models import AuditRecord
from okienko.interactions.models import Interaction
from okienko.notifications.models import Notification
from tests.chat.conftest import Desk, start

pytestmark = [pytest.mark.django_db]


def test_availability_follows_the_offices_consultants(desk: Desk, client: WebClient) -> None:
    answer = client.get("/czat/dostepnosc", {"org": desk.office.code}).json()
    assert answer["available"] is True
    assert answer["organisation"] == desk.office.code
    assert client.get("/czat/dostepnosc", {"org": desk.other.code}).json()["available"] is False
    assert client.get("/czat/dostepnosc").json()["organisation"] == desk.office.code  # a page of no office
    assert client.get("/czat/dostepnosc", {"org": "nie-ma"}).json() == {
        "available": False,
        "organisation": None,
        "form": answer["form"],
    }
    AgentPresence.objects.update(last_seen=clock.now() - dt.timedelta(hours=1))  # the console went quiet
    assert client.get("/czat/dostepnosc", {"org": desk.office.code}).json()["available"] is False
    bad = client.get("/czat/dostepnosc", {"org": "żółw"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert client.post("/czat/dostepnosc").status_code == 405


def test_starting_a_chat(desk: Desk, client: WebClient) -> None:
    response = client.post(
        "/czat/start", {"org": desk.office.code, "name": "Ewa", "email": "ewa@example.org", "page": "/uslugi/"}
    )
    assert response.status_code == 201
    body = response.json()
    session = ChatSession.objects.get(token=body["token"])
    assert body["socket"] == f"/ws/chat/visitor/{session.token}/"
    assert (session.organisation, session.visitor_name, session.page) == (desk.office, "Ewa", "/uslugi/")
    assert "okienko_chat" in response.cookies
    assert AuditRecord.objects.filter(action="chat.started", object_id=str(session.pk)).exists()
    refused = client.post("/czat/start", {"org": desk.office.code, "email": "nie-adres", "transcript": "1"})
    assert refused.status_code == 400
    assert refused.json()["errors"]["email"]


def test_one_visitor_cannot_open_many_chats(desk: Desk, client: WebClient) -> None:
    codes = [client.post("/czat/start", {"org": desk.office.code}).status_code for _ in range(50)]
    allowed = service.max_open_per_visitor()
    assert codes == [201] * allowed + [429] * (50 - allowed)
    assert ChatSession.objects.count() == allowed


def test_no_chat_without_a_free_consultant(desk: Desk, client: WebClient) -> None:
    assert client.post("/czat/start", {"org": desk.other.code}).status_code == 409
    assert client.post("/czat/start", {"org": "\u017c"}).status_code == 400


def test_the_console_for_a_consultant(desk: Desk, client: WebClient) -> None:
    session = start(desk, name="Jan")
    client.force_login(desk.agent)
    page = client.get("/desk/chat/")
    assert page.status_code == 200
    assert "Jan" in page.content.decode()
    client.force_login(desk.outsider)
    assert "Jan" not in client.get("/desk/chat/").content.decode()
    assert client.get(f"/desk/chat/{session.pk}/").status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY, object_id=str(session.pk)).exists()


def test_the_console_is_for_staff_who_record_contacts(desk: Desk, client: WebClient, make_user: Any) -> None:
    assert client.get("/desk/chat/").status_code == 302  # to the sign-in
    client.force_login(make_user("nobody"))
    assert client.get("/desk/chat/").status_code == 403


def test_presence_and_capacity(desk: Desk, client: WebClient) -> None:
    client.force_login(desk.agent)
    client.post("/desk/chat/presence", {"org": desk.office.code, "capacity": "4"})
    presence = AgentPresence.objects.get(user=desk.agent, organisation=desk.office)
    assert (presence.online, presence.capacity) == (False, 4)
    client.post("/desk/chat/presence", {"org": desk.office.code, "capacity": "99", "online": "1"})
    presence.refresh_from_db()
    assert (presence.online, presence.capacity) == (False, 4)
    client.post("/desk/chat/presence", {"org": desk.other.code, "capacity": "2", "online": "1"})
    assert not AgentPresence.objects.filter(user=desk.agent, organisation=desk.other).exists()
    assert AuditRecord.objects.filter(action="chat.presence_changed").exists()


def test_take_talk_store_open_a_case_and_close(desk: Desk, client: WebClient) -> None:
    session = start(desk, name="Ewa", email="ewa@example.org")
    service.post_message(session.pk, "visitor", "<script>alert(1)</script> zasiłek dla bezrobotnych")
    client.force_login(desk.agent)
    assert client.post(f"/desk/chat/{session.pk}/accept").status_code == 302
    session.refresh_from_db()
    assert (session.status, session.agent) == (ChatSession.Status.ACTIVE, desk.agent)
    page = client.get(f"/desk/chat/{session.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert client.get(f"/desk/chat/{session.pk}/suggestions").json().keys() == {"suggestions"}
    to_case = client.post(f"/desk/chat/{session.pk}/record", {"case": "1"})
    interaction = Interaction.objects.get(channel="chat")
    assert to_case["Location"] == f"/desk/cases/new/?interaction={interaction.uuid}"
    assert "zasiłek" in interaction.notes
    assert interaction.contact_detail == "ewa@example.org"
    client.post(f"/desk/chat/{session.pk}/record")
    assert Interaction.objects.filter(channel="chat").count() == 1  # stored once
    client.post(f"/desk/chat/{session.pk}/close")
    session.refresh_from_db()
    assert session.status == ChatSession.Status.CLOSED
    assert session.messages.last().sender == ChatMessage.Sender.SYSTEM  # type: ignore[union-attr]
    for action in ("chat.accepted", "chat.recorded", "chat.closed", "personal_data.viewed"):
        assert AuditRecord.objects.filter(action=action, object_id=str(session.pk)).exists(), action


def test_the_transcript_by_email(desk: Desk, client: WebClient) -> None:
    session = start(desk, name="Ewa", email="ewa@example.org", transcript=True)
    service.accept(session.pk, desk.agent)
    service.post_message(session.pk, "visitor", "Pytanie o staż")
    client.force_login(desk.agent)
    client.post(f"/desk/chat/{session.pk}/transcript", {"email": "zly adres"})
    assert not Notification.objects.exists()
    client.post(f"/desk/chat/{session.pk}/transcript", {"email": "ktos@example.org"})
    sent = Notification.objects.get()
    assert sent.event == "chat_transcript"
    assert "Pytanie o staż" in sent.body_text
    service.close(session.pk, desk.agent)  # the visitor asked at the start: mailed when it ends
    events.deliver_due()
    assert Notification.objects.filter(event="chat_transcript").count() == 2


def test_chats_of_a_consultant_gone_quiet_are_queued_when_the_console_is_opened(
    desk: Desk, client: WebClient, make_user: Any, settings: Any
) -> None:
    settings.CHAT_AGENT_GRACE_SECONDS = 1
    session = start(desk)
    service.accept(session.pk, desk.agent)
    AgentPresence.objects.update(last_seen=clock.now() - dt.timedelta(hours=1))  # its process died
    other = make_user("other", roles=[(desk.office, "consultant")])
    client.force_login(other)
    assert client.get("/desk/chat/").status_code == 200
    session.refresh_from_db()
    assert (session.status, session.agent) == (ChatSession.Status.WAITING, None)


def test_the_console_refreshes_only_its_queue(desk: Desk, client: WebClient) -> None:
    start(desk, name="Zofia")
    client.force_login(desk.agent)
    part = client.get("/desk/chat/", {"part": "queue"}).content.decode()
    assert "Zofia" in part
    assert "<html" not in part

"""The live chat in the admin: read-only, and an office's chats hidden from another office's staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

from okienko.accounts.models import User
from okienko.channels.chat import service
from tests.chat.conftest import Desk, start

pytestmark = pytest.mark.django_db


def test_a_chat_and_its_transcript_are_shown_read_only(client: HttpClient, desk: Desk) -> None:
    session = start(desk, name="Ewa Nowak")
    service.post_message(session.pk, "visitor", "Dzień dobry, pytanie o zasiłek")
    client.force_login(User.objects.create_superuser("root", "root@example.pl", "pass-1234-word"))
    listing = client.get("/admin/channel_adapters/chatsession/")
    assert listing.status_code == 200
    assert "Ewa Nowak" in listing.content.decode()
    page = client.get(f"/admin/channel_adapters/chatsession/{session.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "pytanie o zasiłek" in page.content.decode()
    assert client.get("/admin/channel_adapters/chatsession/add/").status_code == 403
    assert client.get("/admin/channel_adapters/agentpresence/").status_code == 200


def test_another_offices_staff_do_not_see_the_chat(client: HttpClient, desk: Desk) -> None:
    start(desk, name="Ewa Nowak")
    outsider = desk.outsider
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(Permission.objects.get(codename="view_chatsession"))
    client.force_login(outsider)
    listing = client.get("/admin/channel_adapters/chatsession/")
    assert listing.status_code == 200
    assert "Ewa Nowak" not in listing.content.decode()

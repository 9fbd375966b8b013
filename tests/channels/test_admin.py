"""Admin of mailboxes and received e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

from okienko.accounts.models import User
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import Mailbox
from okienko.core.models import AuditRecord
from tests.channels.conftest import Post, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: HttpClient) -> HttpClient:
    admin = User.objects.create_superuser("root", "root@example.pl", "pass-1234-word")
    client.force_login(admin)
    return client


def test_password_is_write_only_and_stored_sealed(admin_client: HttpClient, post: Post) -> None:
    url = f"/admin/channel_adapters/mailbox/{post.mailbox.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data: dict[str, Any] = {
        "organisation": post.centre.pk,
        "address": "kontakt@lodz.okienko.localhost",
        "name": "Łódź",
        "active": "on",
        "kind": "imap",
        "imap_host": "imap.example.pl",
        "imap_port": "993",
        "imap_ssl": "on",
        "imap_username": "kontakt",
        "imap_password": "s3cret-imap",
        "imap_folder": "INBOX",
        "imap_processed_folder": "",
        "trusted_authserv_id": "",
        "max_message_bytes": "1000000",
        "sender_limit_per_hour": "30",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    mailbox = Mailbox.objects.get(pk=post.mailbox.pk)
    assert mailbox.imap_password() == "s3cret-imap"
    assert "s3cret" not in mailbox.imap_password_sealed
    assert b"s3cret" not in admin_client.get(url).content
    entry = AuditRecord.objects.get(action="email.mailbox_changed")
    assert entry.changes["password"] == ["***", "***"]
    data["imap_password"] = ""
    admin_client.post(url, data)
    assert Mailbox.objects.get(pk=post.mailbox.pk).imap_password() == "s3cret-imap"


def test_imap_mailbox_needs_a_server(admin_client: HttpClient, post: Post) -> None:
    response = admin_client.post(
        "/admin/channel_adapters/mailbox/add/",
        {
            "organisation": post.centre.pk,
            "address": "x@y.pl",
            "name": "x",
            "kind": "imap",
            "imap_port": "993",
            "imap_folder": "INBOX",
            "max_message_bytes": "1000",
            "sender_limit_per_hour": "5",
        },
    )
    assert response.status_code == 200
    assert "Skrzynka IMAP wymaga podania serwera." in response.content.decode()


def test_message_page_shows_text_never_html_and_the_raw_download(admin_client: HttpClient, post: Post) -> None:
    inbound = ingest(post.mailbox, load("html_script.eml"))
    page = admin_client.get(f"/admin/channel_adapters/inboundmessage/{inbound.pk}/change/")
    assert page.status_code == 200
    assert b"parking permit" in page.content
    assert b"document.cookie" not in page.content
    raw = admin_client.get(f"/admin/channel_adapters/inboundmessage/{inbound.pk}/raw/")
    assert raw.status_code == 200
    assert raw["Content-Disposition"].startswith("attachment")
    assert b"".join(raw.streaming_content).startswith(b"From: ")  # type: ignore[attr-defined]
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(inbound.pk)).exists()


def test_raw_download_refused_outside_the_staff_members_organisation(client: HttpClient, post: Post) -> None:
    """An admin user of another city, with the model permission, gets 403 and a security entry."""
    inbound = ingest(post.mailbox, load("plain.eml"))
    outsider = post.outsider
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(Permission.objects.get(codename="view_inboundmessage"))
    client.force_login(outsider)
    assert client.get(f"/admin/channel_adapters/inboundmessage/{inbound.pk}/raw/").status_code == 403
    assert AuditRecord.objects.filter(action="channel_adapters.access_denied").count() == 1
    listing = client.get("/admin/channel_adapters/inboundmessage/")
    assert listing.status_code == 200
    assert b"jan.kowalski@example.pl" not in listing.content


def test_mailboxes_of_other_organisations_are_not_listed(client: HttpClient, post: Post) -> None:
    """An administrator of the other city, with the admin permission, sees only its own mailbox."""
    outsider = post.outsider
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(*Permission.objects.filter(codename__in=["view_mailbox", "change_mailbox"]))
    from okienko.accounts.models import Membership
    from okienko.accounts.roles import Role

    Membership.objects.create(user=outsider, organisation=post.other_city, role=Role.ADMINISTRATOR)
    client.force_login(outsider)
    listing = client.get("/admin/channel_adapters/mailbox/").content.decode()
    assert post.other_mailbox.address in listing
    assert post.mailbox.address not in listing
    assert client.get(f"/admin/channel_adapters/mailbox/{post.mailbox.pk}/change/").status_code == 302

"""A letter or fax registered at the desk is visible through the REST API with its channel,
reference number, date received and scans (issue 14, item 6); another office's token sees nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.interactions import actions
from tests.clients.helpers import person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def letter(region: Organisation, make_user: Callable[..., User], settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    pup = Organisation.objects.get(code="pup-a")
    consultant = make_user("konsultant", roles=[(pup, Role.CONSULTANT)])
    with time_machine.travel(NOW, tick=False):
        return actions.register_paper_contact(
            actor=consultant,
            organisation=pup,
            channel="fax",
            received_on=dt.date(2026, 3, 2),
            question="Wniosek faksem",
            reference_number="ZP/7/2026",
            client=person(pup),
            scans=[("faks.pdf", PDF)],
        )


def test_a_fax_is_listed_with_its_channel_reference_number_date_received_and_scans(
    letter: Any, token_client: Callable[..., APIClient]
) -> None:
    api = token_client(Organisation.objects.get(code="pup-a"), ["interactions:read"])
    body = api.get("/api/v1/interactions/", {"channel": "fax"}).json()
    [item] = body["results"]
    scan = letter.attachments.get()
    assert {k: item[k] for k in ("uuid", "channel", "reference_number", "received_at", "question", "scans")} == {
        "uuid": str(letter.uuid),
        "channel": "fax",
        "reference_number": "ZP/7/2026",
        "received_at": "2026-03-02T00:00:00+01:00",
        "question": "Wniosek faksem",
        "scans": [{"uuid": str(scan.uuid), "name": "faks.pdf", "type": "application/pdf", "size": len(PDF)}],
    }
    assert api.get(f"/api/v1/interactions/{letter.uuid}/").json()["channel"] == "fax"


def test_another_offices_token_does_not_see_the_letter(letter: Any, token_client: Callable[..., APIClient]) -> None:
    other = Organisation.objects.filter(code__startswith="pup-").exclude(code="pup-a").first()
    assert other is not None
    api = token_client(other, ["interactions:read"])
    assert api.get("/api/v1/interactions/").json()["results"] == []
    assert api.get(f"/api/v1/interactions/{letter.uuid}/").status_code == 404

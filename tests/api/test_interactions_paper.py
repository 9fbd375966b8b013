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


LETTERS = "/api/v1/interactions/letters/"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_letter_is_registered_through_the_api_with_its_scans(
    region: Organisation, media: None, token_client: Callable[..., APIClient]
) -> None:
    from okienko.core.models import AuditRecord
    from okienko.interactions.models import Interaction

    api = token_client(Organisation.objects.get(code="pup-a"), ["interactions:write", "interactions:read"])
    with time_machine.travel(NOW, tick=False):
        response = api.post(
            LETTERS,
            {
                "organisation": "pup-a",
                "channel": "letter",
                "received_on": "2026-03-09",
                "question": "Wniosek o zaświadczenie",
                "reference_number": "KO/12/2026",
                "contact_name": "Anna Nowak",
                "contact_address": "ul. Piotrkowska 1, 90-001 Łódź",
                "scans": [_upload("strona-1.pdf", PDF), _upload("strona-2.pdf", PDF)],
            },
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="list-12",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["reference_number"], body["received_at"]) == (
        "letter",
        "KO/12/2026",
        "2026-03-09T00:00:00+01:00",
    )
    assert [scan["name"] for scan in body["scans"]] == ["strona-1.pdf", "strona-2.pdf"]
    letter = Interaction.objects.get(uuid=body["uuid"])
    assert AuditRecord.objects.filter(object_id=str(letter.pk)).exists()


def test_a_bad_letter_gets_every_reason_and_stores_nothing(
    region: Organisation, media: None, token_client: Callable[..., APIClient]
) -> None:
    from okienko.interactions.models import Interaction

    api = token_client(Organisation.objects.get(code="pup-a"), ["interactions:write"])
    with time_machine.travel(NOW, tick=False):
        future = api.post(
            LETTERS,
            {
                "organisation": "pup-a",
                "channel": "letter",
                "received_on": "2026-04-01",
                "question": "Z przyszłości",
                "scans": [_upload("program.exe", b"MZ\x90\x00" + b"\x00" * 200)],
            },
            format="multipart",
        )
        assert future.status_code == 400
        problem = future.json()
        assert {"received_on", "scans"} <= set(problem["errors"])
        wrong = api.post(
            LETTERS,
            {"organisation": "pup-a", "channel": "email", "received_on": "2026-03-09", "question": "x"},
            format="json",
        )
        assert wrong.status_code == 400
        assert "channel" in wrong.json()["errors"]
        many = api.post(
            LETTERS,
            {
                "organisation": "pup-a",
                "channel": "fax",
                "received_on": "2026-03-09",
                "question": "Dużo stron",
                "scans": [_upload(f"s{n}.pdf", PDF) for n in range(11)],
            },
            format="multipart",
        )
        assert many.status_code == 400
    assert not Interaction.objects.exists()


def test_reading_is_not_writing_and_another_office_is_refused(
    region: Organisation, media: None, token_client: Callable[..., APIClient]
) -> None:
    letter = {"organisation": "pup-a", "channel": "letter", "received_on": "2026-03-09", "question": "Pismo"}
    reader = token_client(Organisation.objects.get(code="pup-a"), ["interactions:read"])
    assert reader.post(LETTERS, letter, format="json").status_code == 403
    other = token_client(Organisation.objects.get(code="pup-b"), ["interactions:write"])
    with time_machine.travel(NOW, tick=False):
        refused = other.post(LETTERS, letter, format="json")
    assert refused.status_code in (400, 403)

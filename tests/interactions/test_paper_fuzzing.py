"""Bounded fuzzing of the letter, fax and counter form (issue 14, item 4, "Bad input"): hostile
strings in every field and hostile bytes under any file name never make a 5xx, and whatever is
accepted has a date received that is not in the future and a scan of an accepted type."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.core import clock, uploads
from okienko.interactions.models import Interaction, InteractionAttachment
from tests.clients.helpers import person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Strings that break forms: control and format characters, markup, paths, right-to-left overrides,
# a 500-character reference number, very long words.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x1bb",
    "\t\r\n",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "../../etc/passwd",
    "R" * 500,
    "ą" * 5000,
    "\u202etxt.exe",
    "\ufeff\u200b",
    "2026-02-30T25:61",
]
HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))
DATES = st.one_of(
    st.sampled_from(["", "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "1.1.2026", "dziś"]),
    st.dates().map(lambda d: d.isoformat()),
    HOSTILE,
)
BYTES = st.one_of(
    st.sampled_from([b"", b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, b"MZ\x90\0", b"<svg onload=x>"]),
    st.binary(max_size=512),
)
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def desk(db: None, settings: Any, tmp_path: Any) -> tuple[HttpClient, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    accounts_demo.load(stdout=io.StringIO())
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(User.objects.get(username="konsultant.bialystok"))
    http.raise_request_exception = False
    return http, person(Organisation.objects.get(code="pup-bialystok"))


@SETTINGS
@given(
    channel=st.one_of(st.sampled_from(["letter", "fax", "counter", "phone"]), HOSTILE),
    reference=HOSTILE,
    received=DATES,
    question=HOSTILE,
    notes=HOSTILE,
    service=HOSTILE,
    sender=HOSTILE,
    name=HOSTILE,
    data=BYTES,
    anonymous=st.booleans(),
    action=st.sampled_from(["save", "case", "", "x"]),
)
def test_the_letter_form_never_fails(
    desk: tuple[HttpClient, Any],
    channel: str,
    reference: str,
    received: str,
    question: str,
    notes: str,
    service: str,
    sender: str,
    name: str,
    data: bytes,
    anonymous: bool,
    action: str,
) -> None:
    http, client = desk
    before = Interaction.objects.count()
    fields: dict[str, Any] = {
        "channel": channel,
        "reference_number": reference,
        "received_on": received,
        "question": question,
        "notes": notes,
        "service": service,
        "contact_name": sender,
        "contact_address": sender,
        "action": action,
        "scans": [SimpleUploadedFile(name or "skan", data)],
    }
    if not anonymous:
        fields["client"] = str(client.uuid)
    response = http.post("/desk/contacts/letter/", fields)
    assert response.status_code < 500, (response.status_code, fields)
    if response.status_code == 302:
        created = Interaction.objects.order_by("-id").first()
        assert created is not None
        assert Interaction.objects.count() == before + 1
        assert created.received_at is not None
        assert created.received_at <= clock.now()
        assert len(created.reference_number) <= 100
        for scan in InteractionAttachment.objects.filter(interaction=created):
            assert scan.content_type in uploads.DOCUMENT_TYPES
    else:
        assert Interaction.objects.count() == before

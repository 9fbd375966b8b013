"""Bounded fuzzing of the phone's sound pages: the prompt forms (text, upload, change), the
recordings' filters and the voicemail list answer every hostile value — and any bytes uploaded
as a sound — without a 5xx, and a bad value never leaves a prompt behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core import clock
from okienko.telephony.media_models import Prompt
from tests.portal.test_fuzzing import NASTY
from tests.telephony.media_helpers import use_private_folders

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=80))
SETTINGS = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
SOUNDISH = st.one_of(
    st.binary(max_size=2048),
    st.sampled_from(
        [b"RIFF\x00\x00\x00\x00WAVEfmt ", b"ID3\x03\x00", b"OggS\x00", b"fLaC\x00\x00", b"#EXTM3U\n"]
    ).flatmap(lambda head: st.binary(max_size=512).map(lambda tail: head + tail)),
)


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


@pytest.fixture
def boss(make_user: Any, region: Organisation) -> User:
    user: User = make_user("kierownik", roles=[(Organisation.objects.get(code="pup-a"), Role.SUPERVISOR)])
    return user


@SETTINGS
@given(office=HOSTILE, code=HOSTILE, name=HOSTILE, text=HOSTILE, rate=HOSTILE, flag=HOSTILE)
def test_the_text_prompt_form_never_fails(
    client: WebClient, boss: User, office: str, code: str, name: str, text: str, rate: str, flag: str
) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    data = {"office": office, "code": code, "name": name, "text": text, "rate": rate, "is_announcement": flag}
    assert client.post("/desk/phone/prompts/synthesise", data).status_code in (302, 400)
    assert not Prompt.objects.exclude(organisation__code="pup-a").exists()


@SETTINGS
@given(data=SOUNDISH, code=HOSTILE, name=HOSTILE, text=HOSTILE, filename=HOSTILE)
def test_the_upload_form_never_fails_and_keeps_no_bad_sound(
    client: WebClient, boss: User, data: bytes, code: str, name: str, text: str, filename: str
) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    sent = SimpleUploadedFile((filename or "x").replace("\x00", "")[:60] or "x", data, "audio/wav")
    answer = client.post(
        "/desk/phone/prompts/upload", {"office": "pup-a", "code": code or "x", "name": name, "text": text, "file": sent}
    )
    assert answer.status_code in (302, 400)
    assert not Prompt.objects.exists()  # none of these bytes is a sound


@SETTINGS
@given(text=HOSTILE, active=HOSTILE, sent=HOSTILE)
def test_the_change_form_never_fails(client: WebClient, boss: User, text: str, active: str, sent: str) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    prompt, _new = Prompt.objects.get_or_create(
        organisation=Organisation.objects.get(code="pup-a"),
        code="fuzz",
        defaults={"name": "Fuzz", "text": "Tekst.", "updated_at": clock.now()},
    )
    answer = client.post(f"/desk/phone/prompts/{prompt.pk}/", {"text": text, "active": active, "active_sent": sent})
    assert answer.status_code in (302, 400)


@SETTINGS
@given(start=HOSTILE, end=HOSTILE, queue=HOSTILE, show=HOSTILE, purpose=HOSTILE)
def test_the_lists_never_fail(
    client: WebClient, boss: User, start: str, end: str, queue: str, show: str, purpose: str
) -> None:
    client.raise_request_exception = False
    client.force_login(boss)
    assert client.get("/desk/phone/recordings/", {"from": start, "to": end, "queue": queue}).status_code in (200, 400)
    assert client.get("/desk/phone/voicemail/", {"show": show}).status_code in (200, 400)
    assert client.get("/desk/phone/prompts/", {"q": purpose}).status_code in (200, 400)


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("1999-12-31", "2101-01-01")]
)
def test_recordings_outside_the_calendar_say_why(client: WebClient, boss: User, start: str, end: str) -> None:
    client.force_login(boss)
    answer = client.get("/desk/phone/recordings/", {"from": start, "to": end}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert "Choose dates between 2000 and 2100." in answer.content.decode()

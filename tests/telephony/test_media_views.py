"""The desk's prompts, recordings and voicemail pages: who may open what, every recording
playback audited and served as a safe download, bad uploads and texts answered with a readable
message, voicemail listened to (logged) and called back through the console."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.core import clock
from okienko.core.choices import Channel
from okienko.core.models import AuditRecord
from okienko.interactions import actions as interaction_actions
from okienko.telephony import recordings, voicemail
from okienko.telephony.media_models import CallRecording, Prompt, VoicemailBox, VoicemailMessage
from okienko.telephony.models import PhoneQueue
from tests.telephony.media_helpers import needs_tools, quiet_wav, tone_wav, use_private_folders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def boss(make_user: Any, office: Organisation) -> User:
    user: User = make_user("kierownik.a", roles=[(office, Role.SUPERVISOR)])
    return user


@pytest.fixture
def stranger(make_user: Any, region: Organisation) -> User:
    user: User = make_user("kierownik.b", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)])
    return user


@pytest.fixture
def consultant(make_user: Any, office: Organisation) -> User:
    user: User = make_user("konsultant.a", roles=[(office, Role.CONSULTANT)])
    return user


@pytest.fixture
def recording(office: Organisation, tmp_path: Path) -> CallRecording:
    PhoneQueue.objects.create(organisation=office, code="tel-pup-a", name="Linia A", record_calls=True)
    client = client_actions.register_client(
        actor=None, home_office=office, first_name="Jan", last_name="Nagrany", accept_duplicates=True
    )
    interaction = interaction_actions.record_interaction(
        actor=None, channel=Channel.PHONE, organisation=office, client=client
    )
    path = tmp_path / "r.wav"
    path.write_bytes(quiet_wav(1.0))
    now = clock.now()
    stored = recordings.store_recording(
        "c5-1",
        path,
        started=now - dt.timedelta(minutes=3),
        ended=now,
        queue="tel-pup-a",
        flow="pup",
        consent_played=True,
        interaction=interaction,
    )
    assert stored is not None
    return stored


@pytest.fixture
def message(office: Organisation, tmp_path: Path) -> VoicemailMessage:
    VoicemailBox.objects.create(organisation=office, code="vm-pup-a", name="Poczta A")
    path = tmp_path / "m.wav"
    path.write_bytes(quiet_wav(2.0))
    return voicemail.store_voicemail("vm-pup-a", "c5-2", "+48600700800", "", path, 2.0, transcript="Proszę oddzwonić")


def test_pages_by_role(client: WebClient, boss: User, consultant: User, recording: CallRecording) -> None:
    client.force_login(consultant)
    assert client.get("/desk/phone/prompts/").status_code == 403
    assert client.get("/desk/phone/recordings/").status_code == 403
    assert client.get("/desk/phone/voicemail/").status_code == 200
    client.force_login(boss)
    assert client.get("/desk/phone/prompts/").status_code == 200
    page = client.get("/desk/phone/recordings/")
    assert page.status_code == 200
    assert "c5-1" in page.content.decode()


@needs_tools
def test_a_supervisor_synthesises_and_changes_an_announcement(client: WebClient, boss: User) -> None:
    client.force_login(boss)
    answer = client.post(
        "/desk/phone/prompts/synthesise",
        {
            "office": "pup-a",
            "code": "office-closed",
            "name": "Zamknięte",
            "text": "Urząd jest dziś nieczynny.",
            "is_announcement": "1",
        },
        follow=True,
    )
    assert answer.status_code == 200
    prompt = Prompt.objects.get(code="office-closed")
    assert prompt.is_announcement
    assert not prompt.active  # an announcement starts switched off unless asked
    sound = client.get(f"/desk/phone/prompts/{prompt.pk}/8000.wav")
    assert sound.status_code == 200
    assert sound["X-Content-Type-Options"] == "nosniff"
    assert b"".join(sound.streaming_content)[:4] == b"RIFF"  # type: ignore[attr-defined]
    client.post(
        f"/desk/phone/prompts/{prompt.pk}/",
        {"text": "Urząd jest dziś czynny do 12.", "active_sent": "1", "active": "1"},
    )
    prompt.refresh_from_db()
    assert prompt.text == "Urząd jest dziś czynny do 12."
    assert prompt.active


@needs_tools
def test_bad_uploads_and_texts_get_a_readable_message(client: WebClient, boss: User, tmp_path: Path) -> None:
    client.force_login(boss)
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        "/desk/phone/prompts/upload",
        {
            "office": "pup-a",
            "code": "welcome",
            "name": "Powitanie",
            "file": SimpleUploadedFile("welcome.wav", b"<html>not sound</html>", "audio/wav"),
        },
        follow=True,
    )
    assert "not a sound recording" in answer.content.decode() or "nie jest nagraniem" in answer.content.decode()
    answer = client.post(
        "/desk/phone/prompts/synthesise",
        {"office": "pup-a", "code": "x", "name": "X", "text": "<speak>hej</speak>"},
        follow=True,
    )
    assert answer.status_code == 200
    assert not Prompt.objects.exists()
    good = client.post(
        "/desk/phone/prompts/upload",
        {
            "office": "pup-a",
            "code": "welcome",
            "name": "Powitanie",
            "file": SimpleUploadedFile("welcome.wav", tone_wav(tmp_path, 1.0), "audio/wav"),
        },
    )
    assert good.status_code == 302
    assert Prompt.objects.get().kind == Prompt.Kind.RECORDED


def test_another_offices_supervisor_cannot_manage_or_hear_prompts(
    client: WebClient, stranger: User, office: Organisation
) -> None:
    prompt = Prompt.objects.create(organisation=office, code="a", name="A", updated_at=clock.now())
    client.force_login(stranger)
    assert client.get(f"/desk/phone/prompts/{prompt.pk}/8000.wav").status_code == 404
    assert client.post(f"/desk/phone/prompts/{prompt.pk}/", {"active_sent": "1"}).status_code == 404
    client.post("/desk/phone/prompts/synthesise", {"office": "pup-a", "code": "b", "name": "B", "text": "Tekst."})
    assert Prompt.objects.count() == 1


def test_every_recording_playback_is_audited_and_safe(client: WebClient, boss: User, recording: CallRecording) -> None:
    client.force_login(boss)
    page = client.get(f"/desk/phone/recordings/{recording.uuid}/")
    assert page.status_code == 200
    assert recording.sha256 in page.content.decode()
    for _time in range(2):
        sound = client.get(f"/desk/phone/recordings/{recording.uuid}/audio")
        assert sound.status_code == 200
        assert sound["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in sound["Content-Security-Policy"]
        assert sound["Content-Disposition"].startswith("attachment")
    played = AuditRecord.objects.filter(action="telephony.recording_played", object_id=str(recording.pk))
    assert played.count() == 2
    assert played.first().actor_id == boss.pk  # type: ignore[union-attr]


def test_recordings_of_another_office_are_refused_and_the_attempt_audited(
    client: WebClient, stranger: User, recording: CallRecording
) -> None:
    client.force_login(stranger)
    assert "c5-1" not in client.get("/desk/phone/recordings/").content.decode()
    assert client.get(f"/desk/phone/recordings/{recording.uuid}/audio").status_code == 404
    assert client.get(f"/desk/phone/recordings/{recording.uuid}/").status_code == 404
    assert AuditRecord.objects.filter(action="telephony.access_denied").count() == 2
    assert not AuditRecord.objects.filter(action="telephony.recording_played").exists()


def test_recording_filters(client: WebClient, boss: User, recording: CallRecording) -> None:
    client.force_login(boss)
    assert "c5-1" in client.get("/desk/phone/recordings/", {"queue": "tel-pup-a"}).content.decode()
    assert (
        "c5-1" not in client.get("/desk/phone/recordings/", {"from": "2001-01-01", "to": "2001-01-02"}).content.decode()
    )
    assert client.get("/desk/phone/recordings/", {"from": "x", "to": "2001-01-01", "queue": "<b>"}).status_code == 200


def test_the_client_card_lists_recordings_for_supervisors_only(
    client: WebClient, boss: User, consultant: User, recording: CallRecording
) -> None:
    card = f"/desk/clients/{recording.interaction.client.uuid}/"  # type: ignore[union-attr]
    client.force_login(boss)
    assert f"/desk/phone/recordings/{recording.uuid}/" in client.get(card).content.decode()
    client.force_login(consultant)
    assert f"/desk/phone/recordings/{recording.uuid}/" not in client.get(card).content.decode()


def test_voicemail_is_listened_to_by_the_offices_staff_and_called_back(
    client: WebClient, consultant: User, stranger: User, message: VoicemailMessage
) -> None:
    client.force_login(consultant)
    page = client.get("/desk/phone/voicemail/")
    assert "Proszę oddzwonić" in page.content.decode()
    sound = client.get(f"/desk/phone/voicemail/{message.uuid}/audio")
    assert sound.status_code == 200
    assert sound["X-Content-Type-Options"] == "nosniff"
    message.refresh_from_db()
    assert message.listened_by == consultant
    assert AuditRecord.objects.filter(action="telephony.voicemail_played", actor_id=consultant.pk).exists()
    answer = client.post(f"/desk/phone/voicemail/{message.uuid}/call-back")
    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/phone/#cb-{message.callback.uuid}"  # type: ignore[union-attr]
    message.refresh_from_db()
    assert message.handled_at is not None
    console = client.get("/desk/phone/").content.decode()
    assert f'id="cb-{message.callback.uuid}"' in console  # type: ignore[union-attr]
    client.force_login(stranger)
    assert client.get(f"/desk/phone/voicemail/{message.uuid}/audio").status_code == 404
    assert "Proszę oddzwonić" not in client.get("/desk/phone/voicemail/?show=all").content.decode()

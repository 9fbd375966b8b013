"""Voicemail: a message lands in the office's box and as a callback in the office's callback
queue (with the callback's usual "callback.created" event the client notification hangs on);
the simulator's typed message is spoken into a playable sound."""

from __future__ import annotations

import wave
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import Organisation
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions.models import Callback
from okienko.telephony import voicemail
from okienko.telephony.media_models import VoicemailBox, VoicemailMessage
from tests.telephony.media_helpers import needs_tools, quiet_wav, use_private_folders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


@pytest.fixture
def box(region: Organisation) -> VoicemailBox:
    office = Organisation.objects.get(code="pup-a")
    return VoicemailBox.objects.create(organisation=office, code="vm-pup-a", name="Poczta PUP A")


def test_a_message_is_kept_in_the_box_and_opens_the_offices_callback(tmp_path: Path, box: VoicemailBox) -> None:
    path = tmp_path / "msg.wav"
    path.write_bytes(quiet_wav(3.0))
    message = voicemail.store_voicemail("vm-pup-a", "c9-1", "+48600100200", "", path, 3.0)
    assert message.box == box
    assert message.duration == 3.0
    assert message.callback is not None
    callback = Callback.objects.get(pk=message.callback.pk)
    assert callback.target_unit == box.organisation
    assert callback.status == Callback.Status.CREATED
    assert callback.phone == "+48600100200"
    assert "Poczta PUP A" in callback.reason
    assert OutboxEvent.objects.filter(topic="callback.created", payload__callback=callback.pk).exists()
    assert AuditRecord.objects.filter(action="telephony.voicemail_received").exists()
    assert not path.exists()


def test_an_office_code_finds_its_box_or_gets_one(tmp_path: Path, region: Organisation) -> None:
    path = tmp_path / "msg.wav"
    path.write_bytes(quiet_wav(1.0))
    message = voicemail.store_voicemail("pup-b", "c9-2", "", "", path, 1.0)
    assert message.box.code == "vm-pup-b"
    assert message.box.organisation.code == "pup-b"
    with pytest.raises(LookupError):
        voicemail.store_voicemail("no-such-office", "c9-3", "", "", path, 1.0)


@needs_tools
def test_the_simulators_typed_message_is_spoken_into_the_box(box: VoicemailBox) -> None:
    callback = voicemail.leave_message(
        office="pup-a",
        client_id="",
        caller="+48600100200",
        reason="",
        message="Proszę o telefon w sprawie zasiłku.",
        call="c9-4",
        entry="9510",
    )
    message = VoicemailMessage.objects.get()
    assert callback == str(message.callback_id)
    assert message.transcript == "Proszę o telefon w sprawie zasiłku."
    with wave.open(BytesIO(Path(message.file.path).read_bytes())) as reader:
        assert reader.getframerate() == 8000
        assert reader.getnframes() > 8000  # more than a second of speech
    assert "Proszę o telefon w sprawie zasiłku." in Callback.objects.get().reason


def test_without_espeak_the_message_is_still_kept(box: VoicemailBox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("okienko.telephony.audio.shutil.which", lambda name: None)
    assert voicemail.leave_message(office="pup-a", client_id="", caller="1", reason="", message="Halo") != ""
    assert VoicemailMessage.objects.get().transcript == "Halo"


def test_an_unknown_office_gives_no_callback(region: Organisation) -> None:
    assert voicemail.leave_message(office="nowhere", client_id="", caller="1", reason="", message="Halo") == ""


@needs_tools
def test_the_demo_gives_offices_prompts_a_box_and_a_playable_recording(region: Organisation) -> None:
    import io

    from okienko.telephony import demo
    from okienko.telephony.media_models import CallRecording, Prompt
    from okienko.telephony.models import PhoneQueue

    PhoneQueue.objects.create(organisation=Organisation.objects.get(code="pup-a"), code="tel-pup-a", name="A")
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())  # idempotent
    offices = Organisation.objects.filter(phone_queues__isnull=False).distinct()
    for office in offices:
        assert Prompt.objects.get(organisation=office, code="consent-recording").audio.count() == 2
        closed = Prompt.objects.get(organisation=office, code="office-closed")
        assert closed.is_announcement
        assert not closed.active
        assert VoicemailBox.objects.filter(organisation=office).count() == 1
    assert len(offices) == 1
    assert CallRecording.objects.get().queue == "tel-pup-a"

"""What the audio, prompt, recording and voicemail tests share: a private media and var folder
each, skipping when espeak-ng, sox or ffmpeg is missing, and small sounds made on the spot."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from okienko.telephony import audio
from okienko.telephony.voicemail import silence

MISSING = audio.tools_missing()
needs_tools = pytest.mark.skipif(
    bool(MISSING), reason=f"{', '.join(MISSING)} not installed (Debian espeak-ng, sox, ffmpeg; make services)"
)


def use_private_folders(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path


def tone_wav(tmp_path: Path, seconds: float = 1.0, rate: int = 22050) -> bytes:
    """A sine tone made by sox."""
    out = tmp_path / f"tone-{seconds}-{rate}.wav"
    subprocess.run(
        ["sox", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(out), "synth", str(seconds), "sine", "440"],
        check=True,
        timeout=30,
    )
    return out.read_bytes()


def quiet_wav(seconds: float = 1.0) -> bytes:
    return silence(seconds)


class PhoneMedia:
    """An office's prompt, call recording and voicemail message (for the access matrix)."""

    def __init__(self, prompt: Any, recording: Any, message: Any) -> None:
        self.prompt, self.recording, self.message = prompt, recording, message


def phone_media(org: Any) -> PhoneMedia:
    """The office's prompt, recording and voicemail message, made on first use (no tools needed)."""
    import datetime as dt
    import hashlib

    from django.core.files.base import ContentFile

    from okienko.core import clock
    from okienko.telephony.media_models import CallRecording, Prompt, PromptAudio, VoicemailBox, VoicemailMessage

    data = silence(0.5)
    facts = {
        "content_type": "audio/wav",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "created_at": clock.now(),
    }
    prompt, created = Prompt.objects.get_or_create(
        organisation=org, code="matrix", defaults={"name": "Matrix", "text": "Tekst.", "updated_at": clock.now()}
    )
    if created:
        audio_row = PromptAudio(prompt=prompt, sample_rate=8000, original_name="matrix.wav", **facts)
        audio_row.file.save("upload", ContentFile(data))
    recording = CallRecording.objects.filter(organisation=org, call=f"matrix-{org.code}").first()
    if recording is None:
        recording = CallRecording(
            organisation=org,
            call=f"matrix-{org.code}",
            started_at=clock.now(),
            ended_at=clock.now(),
            legal_basis="art. 6 ust. 1 lit. e RODO",
            retain_until=clock.now().date() + dt.timedelta(days=90),
            original_name="matrix.wav",
            **facts,
        )
        recording.file.save("upload", ContentFile(data))
    box, _new = VoicemailBox.objects.get_or_create(
        code=f"vm-matrix-{org.code}", defaults={"organisation": org, "name": "Matrix"}
    )
    message = VoicemailMessage.objects.filter(box=box).first()
    if message is None:
        message = VoicemailMessage(
            box=box, call=f"matrix-{org.code}", received_at=clock.now(), original_name="matrix.wav", **facts
        )
        message.file.save("upload", ContentFile(data))
    return PhoneMedia(prompt, recording, message)

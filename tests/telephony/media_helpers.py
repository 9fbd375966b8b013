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

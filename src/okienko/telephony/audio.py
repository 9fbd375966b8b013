"""The phone's sound files: prompts spoken by espeak-ng (Debian) and uploaded recordings turned
into what telephony plays — mono 16-bit PCM WAV at 8 kHz (narrow-band calls) and 16 kHz
(wide-band: G.722, WebRTC).

- ``synthesise`` speaks a text (espeak-ng → WAV → sox to 8 and 16 kHz), cached under
  ``<OKIENKO_VAR_DIR>/prompts/tts/<sha256(text|voice|rate|sample rate)>.wav``: the same text is
  rendered once, whichever office asks. Text with markup (SSML, espeak's ``[[phonemes]]``),
  control characters or over ``MAX_TEXT`` characters is refused (:class:`TextRefused`).
- ``convert_upload`` checks that uploaded bytes are sound (ffprobe, a list of audio container
  formats only: no playlists that would make ffmpeg read other files; no pictures, text or
  video) of at most ``MAX_SECONDS`` and not empty, and converts them with ffmpeg.

Every tool runs without a shell, with a time-out, on copies in a private temporary folder.
No Django models here; the settings give the folder, voice and speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from collections.abc import Iterator, Sequence
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

RATES = (8000, 16000)
MAX_TEXT = 1000
MAX_SECONDS = 600  # an uploaded prompt or greeting: ten minutes at most
MIN_SECONDS = 0.05
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # as every upload (REQUEST_MAX_BYTES): MP3 or Ogg for long ones
TOOL_TIMEOUT = 60.0  # seconds for one tool run (a ten-minute file converts in a few seconds)
# Demuxers ffprobe/ffmpeg may use on an upload. Playlists (hls, concat…), images and text formats
# are not among them: a hostile "sound" cannot make ffmpeg open another file or a URL.
AUDIO_FORMATS = (
    "wav",
    "w64",
    "mp3",
    "ogg",
    "flac",
    "aac",
    "aiff",
    "au",
    "amr",
    "caf",
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
    "asf",
)
_FORMAT_WHITELIST = ",".join(AUDIO_FORMATS)
_VOICE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*(?:\+[a-z0-9]{1,12})?$")


class AudioError(ValueError):
    """A sound could not be made or accepted; ``message`` is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TextRefused(AudioError):
    """The text to speak has markup, control characters, nothing to say, or is too long."""


class NotAudio(AudioError):
    """An upload that is not a sound file (a picture, text, a video without sound…)."""


class BadDuration(AudioError):
    """An upload that is empty (no sound) or longer than ``MAX_SECONDS``."""


class ToolFailed(AudioError):
    """espeak-ng, sox or ffmpeg failed or took too long."""


class ToolMissing(ToolFailed):
    """espeak-ng, sox or ffmpeg is not installed."""


def tools_missing() -> list[str]:
    """Names of the programs this module needs that are not installed (for tests and checks)."""
    return [name for name in ("espeak-ng", "sox", "ffmpeg", "ffprobe") if shutil.which(name) is None]


def tts_dir() -> Path:
    return Path(settings.VAR_DIR) / "prompts" / "tts"


def default_voice() -> str:
    return str(getattr(settings, "OKIENKO_TTS_VOICE", "pl") or "pl")


def default_rate() -> int:
    return int(getattr(settings, "OKIENKO_TTS_RATE", 160) or 160)


# -- speech ----------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """The text as espeak-ng will read it, or :class:`TextRefused` with the reason."""
    if len(text) > MAX_TEXT:
        raise TextRefused(_("The text is too long: at most %(max)d characters.") % {"max": MAX_TEXT})
    if "<" in text or ">" in text or "[[" in text or "]]" in text:
        raise TextRefused(_("The text may not contain markup (SSML, tags or “[[…]]”): write plain sentences."))
    spoken = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\n\r\t":
            spoken.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise TextRefused(_("The text contains control characters."))
        else:
            spoken.append(char)
    cleaned = " ".join("".join(spoken).split())
    if not cleaned:
        raise TextRefused(_("Give the text to speak."))
    return cleaned


def check_voice(voice: str, rate_wpm: int) -> None:
    if not _VOICE.fullmatch(voice):
        raise TextRefused(_("Unknown voice."))
    if not 80 <= rate_wpm <= 450:
        raise TextRefused(_("The speed must be from 80 to 450 words per minute."))


def cache_key(text: str, voice: str, rate_wpm: int, sample_rate: int) -> str:
    return hashlib.sha256(f"{text}|{voice}|{rate_wpm}|{sample_rate}".encode()).hexdigest()


def cached(text: str, voice: str | None = None, rate_wpm: int | None = None, *, sample_rate: int = 8000) -> Path:
    """Where the speech of ``text`` is (or will be) kept; no check, no rendering."""
    cleaned = clean_text(text)
    return tts_dir() / f"{cache_key(cleaned, voice or default_voice(), rate_wpm or default_rate(), sample_rate)}.wav"


def synthesise(text: str, voice: str | None = None, rate_wpm: int | None = None, *, sample_rate: int = 8000) -> Path:
    """The speech of ``text`` as a mono 16-bit WAV at ``sample_rate`` (8000 or 16000): from the
    cache, or rendered now (both rates at once) and cached. Raises :class:`TextRefused` or
    :class:`ToolFailed`."""
    if sample_rate not in RATES:
        raise ValueError(f"sample rate {sample_rate}")
    voice = voice or default_voice()
    rate_wpm = int(rate_wpm or default_rate())
    cleaned = clean_text(text)
    check_voice(voice, rate_wpm)
    folder = tts_dir()
    paths = {rate: folder / f"{cache_key(cleaned, voice, rate_wpm, rate)}.wav" for rate in RATES}
    if paths[sample_rate].is_file():
        return paths[sample_rate]
    folder.mkdir(parents=True, exist_ok=True)
    with _private_dir() as work:
        source = work / "text.txt"
        source.write_text(cleaned, encoding="utf-8")
        spoken = work / "spoken.wav"
        # -f: the text from a file (never an argument that could look like an option).
        _run(["espeak-ng", "-v", voice, "-s", str(rate_wpm), "-b", "1", "-f", str(source), "-w", str(spoken)])
        for rate, path in paths.items():
            out = work / f"{rate}.wav"
            _run(["sox", "-q", str(spoken), "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed-integer", str(out)])
            _install(out, path)
    return paths[sample_rate]


def synthesise_bytes(text: str, voice: str | None = None, rate_wpm: int | None = None) -> tuple[bytes, bytes, float]:
    """``(wav 8 kHz, wav 16 kHz, seconds)`` of the speech of ``text`` (to store it as a file)."""
    low = synthesise(text, voice, rate_wpm, sample_rate=8000).read_bytes()
    high = synthesise(text, voice, rate_wpm, sample_rate=16000).read_bytes()
    return low, high, wav_seconds(low)


# -- uploads ---------------------------------------------------------------------------------


def convert_upload(data: bytes) -> tuple[bytes, bytes, float]:
    """``(wav 8 kHz, wav 16 kHz, seconds)`` of an uploaded sound; raises :class:`NotAudio`,
    :class:`BadDuration` or :class:`ToolFailed` with a message for the uploader."""
    if not data:
        raise BadDuration(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise NotAudio(_("The file is too large: at most %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    with _private_dir() as work:
        source = work / "upload"
        source.write_bytes(data)
        fmt, declared = _probe(source)
        if declared is not None and declared > MAX_SECONDS:
            raise BadDuration(_too_long())
        low, high = work / "8000.wav", work / "16000.wav"
        common = ["-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-c:a", "pcm_s16le", "-t", str(MAX_SECONDS + 1)]
        _run(
            [
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-v",
                "error",
                "-protocol_whitelist",
                "file",
                "-f",
                fmt.split(",")[0],
                "-i",
                str(source),
                *common,
                "-ar",
                "8000",
                "-f",
                "wav",
                str(low),
                *common,
                "-ar",
                "16000",
                "-f",
                "wav",
                str(high),
            ],
            failure=_("The sound could not be converted; save it as WAV or MP3 and try again."),
        )
        wav8, wav16 = low.read_bytes(), high.read_bytes()
    seconds = wav_seconds(wav8)
    if seconds < MIN_SECONDS:
        raise BadDuration(_("The recording has no sound (it is 0 seconds long)."))
    if seconds > MAX_SECONDS:
        raise BadDuration(_too_long())
    return wav8, wav16, round(seconds, 2)


def _too_long() -> str:
    return _("The recording is too long: at most %(minutes)d minutes.") % {"minutes": MAX_SECONDS // 60}


def _probe(source: Path) -> tuple[str, float | None]:
    """The container format, whether it has sound and its declared duration (or NotAudio)."""
    try:
        result = _run(
            [
                "ffprobe",
                "-v",
                "error",
                "-protocol_whitelist",
                "file",
                "-format_whitelist",
                _FORMAT_WHITELIST,
                "-show_entries",
                "format=format_name,duration:stream=codec_type:stream_disposition=attached_pic",
                "-of",
                "json",
                str(source),
            ],
            failure=_("This file is not a sound recording."),
        )
        found = json.loads(result or b"{}")
    except ToolMissing:
        raise
    except (ToolFailed, ValueError) as exc:
        raise NotAudio(_("This file is not a sound recording.")) from exc
    streams = [s for s in found.get("streams", []) if isinstance(s, dict)]
    kinds = [str(s.get("codec_type", "")) for s in streams]
    moving = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")  # cover art is fine
    ]
    fmt = found.get("format") or {}
    name = str(fmt.get("format_name", ""))
    if "audio" not in kinds or moving or name not in AUDIO_FORMATS:
        if moving:
            raise NotAudio(_("This file is a video or a picture, not a sound recording."))
        raise NotAudio(_("This file is not a sound recording."))
    try:
        duration: float | None = float(str(fmt.get("duration")))
    except (TypeError, ValueError):
        duration = None
    return name, duration


# -- helpers ---------------------------------------------------------------------------------


def wav_seconds(data: bytes) -> float:
    """The length of a PCM WAV (0 if it cannot be read)."""
    try:
        with wave.open(BytesIO(data)) as reader:
            rate = reader.getframerate()
            return reader.getnframes() / rate if rate else 0.0
    except (wave.Error, EOFError):
        return 0.0


@contextlib.contextmanager
def _private_dir() -> Iterator[Path]:
    # mkdtemp makes the folder readable by this user only (0700).
    with tempfile.TemporaryDirectory(prefix="okienko-audio-") as name:
        yield Path(name)


def _install(source: Path, target: Path) -> None:
    """Put a finished file in the cache atomically (a reader never sees half a file)."""
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    os.close(fd)
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def _run(args: Sequence[str], *, failure: str = "") -> bytes:
    program = shutil.which(args[0])
    if program is None:
        raise ToolMissing(_("espeak-ng, sox or ffmpeg is not installed."))
    try:
        done = subprocess.run(  # noqa: S603 - no shell; the program is found on PATH, arguments fixed
            [program, *args[1:]],
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolFailed(failure or _("Preparing the sound took too long.")) from exc
    except OSError as exc:
        raise ToolFailed(failure or _("The sound could not be prepared.")) from exc
    if done.returncode != 0:
        raise ToolFailed(failure or _("The sound could not be prepared."))
    return done.stdout

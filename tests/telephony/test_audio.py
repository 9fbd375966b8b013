"""The phone's sounds: espeak-ng speech cached by text, voice, speed and rate; text with markup,
control characters or too long refused; uploads checked to be sound of at most ten minutes and
converted to 8 and 16 kHz mono PCM."""

from __future__ import annotations

import subprocess
import wave
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from okienko.telephony import audio
from tests.telephony.media_helpers import needs_tools, tone_wav, use_private_folders

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


def _format(data: bytes) -> tuple[int, int, int]:
    with wave.open(BytesIO(data)) as reader:
        return reader.getframerate(), reader.getnchannels(), reader.getsampwidth()


@needs_tools
def test_speech_is_rendered_at_both_rates_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    low = audio.synthesise("Urząd jest dziś nieczynny.", "pl", 160)
    high = audio.synthesise("Urząd jest dziś nieczynny.", "pl", 160, sample_rate=16000)
    assert low.parent == tmp_path / "var" / "prompts" / "tts"
    assert low.name == audio.cache_key("Urząd jest dziś nieczynny.", "pl", 160, 8000) + ".wav"
    assert _format(low.read_bytes()) == (8000, 1, 2)
    assert _format(high.read_bytes()) == (16000, 1, 2)
    assert audio.wav_seconds(low.read_bytes()) > 0.5
    stamp = low.stat().st_mtime_ns
    assert audio.synthesise("Urząd jest dziś nieczynny.", "pl", 160) == low
    assert low.stat().st_mtime_ns == stamp  # not rendered again
    assert audio.synthesise("Urząd jest dziś nieczynny.", "pl", 200) != low  # the speed is in the key


@pytest.mark.parametrize(
    "text",
    [
        "<speak>Dzień dobry</speak>",
        "Dzień <break time='3s'/> dobry",
        "Wynik > 5",
        "[[h@'loU]]",
        "Dzień\x00dobry",
        "Dzień\x1b[31mdobry",
        "a\u202eb",
        "x" * 1001,
        "   ",
        "",
    ],
    ids=["ssml", "tag", "gt", "phonemes", "nul", "escape", "bidi", "too-long", "blank", "empty"],
)
def test_text_with_markup_control_characters_or_too_long_is_refused(text: str) -> None:
    with pytest.raises(audio.TextRefused) as refused:
        audio.synthesise(text)
    assert refused.value.message


def test_text_of_exactly_the_limit_and_line_breaks_pass_the_check() -> None:
    assert audio.clean_text("a" * 1000) == "a" * 1000
    assert audio.clean_text("Dzień\ndobry\t!") == "Dzień dobry !"


@pytest.mark.parametrize("voice", ["pl; rm -rf /", "--help", "", "PL"], ids=["shell", "option", "empty", "upper"])
def test_a_voice_that_is_not_a_voice_name_is_refused(voice: str) -> None:
    with pytest.raises(audio.TextRefused):
        audio.check_voice(voice, 160)


@needs_tools
def test_an_uploaded_sound_is_converted_to_8_and_16_khz_mono(tmp_path: Path) -> None:
    wav8, wav16, seconds = audio.convert_upload(tone_wav(tmp_path, 1.5, 44100))
    assert _format(wav8) == (8000, 1, 2)
    assert _format(wav16) == (16000, 1, 2)
    assert seconds == pytest.approx(1.5, abs=0.05)


@needs_tools
def test_an_mp3_or_ogg_upload_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "tone.wav"
    source.write_bytes(tone_wav(tmp_path, 1.0))
    for suffix in ("mp3", "ogg"):
        out = tmp_path / f"tone.{suffix}"
        done = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), str(out)], timeout=30, check=False
        )
        if done.returncode != 0:
            continue  # this ffmpeg has no encoder for it
        assert audio.convert_upload(out.read_bytes())[2] == pytest.approx(1.0, abs=0.1)


@needs_tools
@pytest.mark.parametrize(
    "data",
    [
        PNG,
        b"Dzien dobry, to nie jest nagranie.\n" * 20,
        b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
        b"ffconcat version 1.0\nfile /etc/passwd\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        b"\x00" * 4096,
    ],
    ids=["png", "text", "hls-playlist", "concat-list", "pdf", "zeros"],
)
def test_an_upload_that_is_not_sound_is_refused(data: bytes) -> None:
    with pytest.raises(audio.NotAudio) as refused:
        audio.convert_upload(data)
    assert refused.value.message


@needs_tools
def test_a_video_without_sound_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "video.mkv"
    done = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", str(out)],
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("this ffmpeg cannot make a test video")
    with pytest.raises(audio.NotAudio):
        audio.convert_upload(out.read_bytes())


@needs_tools
def test_an_upload_two_hours_long_is_refused_quickly(tmp_path: Path) -> None:
    long_file = tmp_path / "long.flac"
    # FLAC silence at a low rate: a two-hour file of a few kilobytes, made in about a second.
    subprocess.run(["sox", "-n", "-r", "1000", "-c", "1", str(long_file), "trim", "0", "7200"], check=True, timeout=60)
    with pytest.raises(audio.BadDuration) as refused:
        audio.convert_upload(long_file.read_bytes())
    assert "10" in refused.value.message


@needs_tools
def test_an_empty_or_zero_length_upload_is_refused(tmp_path: Path) -> None:
    with pytest.raises(audio.BadDuration):
        audio.convert_upload(b"")
    empty = BytesIO()
    with wave.open(empty, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"")
    with pytest.raises(audio.AudioError):
        audio.convert_upload(empty.getvalue())


def test_a_missing_tool_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("okienko.telephony.audio.shutil.which", lambda name: None)
    with pytest.raises(audio.ToolMissing):
        audio.synthesise("Dzień dobry.")

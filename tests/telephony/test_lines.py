"""The engine's lines and the prompts' web address (issue 16): the configured line is built or
refused with a clear error; a prompt's sound is served only for a name the engine signed and only
from the speech cache or a stored prompt — a forged or altered name, or a signed path to anything
else (personal data in the media folder), is "not found"; line failures reach supervisors."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.core.navigation import alerts_for
from okienko.telephony import lines
from okienko.telephony.recordings import alert_failure
from okienko.telephony.runtime import Runtime


@pytest.fixture
def speech_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path
    from okienko.telephony import audio

    folder = audio.tts_dir()
    folder.mkdir(parents=True)
    return folder


def _wav(path: Path) -> Path:
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28)
    return path


def test_an_unknown_line_is_refused_with_the_choices(settings: Any) -> None:
    with pytest.raises(lines.LineError, match="OKIENKO_TELEPHONY_LINE"):
        lines.build(Runtime(), "pbx")


def test_no_line_by_default() -> None:
    assert lines.build(Runtime(), "") is None


def test_a_bad_sip_address_is_refused(settings: Any) -> None:
    settings.TELEPHONY_SIP_LISTEN = "nowhere"
    pytest.importorskip("pjsua2")
    with pytest.raises(lines.LineError, match="host:port"):
        lines.build(Runtime(), "sip")


def test_the_asterisk_line_is_built_from_the_settings(settings: Any) -> None:
    settings.TELEPHONY_ARI_URL = "http://pbx.example:8088/ari"
    settings.TELEPHONY_ARI_APP = "okienko-test"
    line = lines.build(Runtime(), "ari")
    assert line.app == "okienko-test"
    assert line.rest_url == "http://pbx.example:8088/ari"


@pytest.mark.django_db
def test_a_signed_speech_file_is_served(client: WebClient, speech_dir: Path) -> None:
    sound = _wav(speech_dir / ("a" * 64 + ".wav"))
    answer = client.get(lines.prompt_url(sound))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "audio/wav"
    assert b"".join(answer.streaming_content).startswith(b"RIFF")  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_signed_path_outside_the_prompts_is_not_found(client: WebClient, speech_dir: Path, tmp_path: Path) -> None:
    secret = _wav(tmp_path / "recordings-of-a-client.wav")
    assert client.get(lines.prompt_url(secret)).status_code == 404
    sneaky = speech_dir / ".." / ".." / "recordings-of-a-client.wav"
    assert client.get(lines.prompt_url(sneaky)).status_code == 404
    text = _wav(speech_dir / "notes.txt")
    assert client.get(lines.prompt_url(text)).status_code == 404


@pytest.mark.django_db
def test_an_altered_or_forged_name_is_not_found(client: WebClient, speech_dir: Path) -> None:
    sound = _wav(speech_dir / ("b" * 64 + ".wav"))
    url = lines.prompt_url(sound)
    assert url.endswith(".wav")
    signature = url[: -len(".wav")]
    altered = signature[:-3] + ("AAA" if not signature.endswith("AAA") else "BBB") + ".wav"
    assert client.get(altered).status_code == 404
    forged = urllib.parse.quote(str(sound), safe="")
    assert client.get(f"/telefon/prompt/{forged}").status_code == 404


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
@given(token=st.text(max_size=300))
def test_prompt_names_never_fail(client: WebClient, token: str) -> None:
    client.raise_request_exception = False
    answer = client.get("/telefon/prompt/" + urllib.parse.quote(token, safe=""))
    assert answer.status_code in (400, 404, 301, 302), answer.status_code


@pytest.mark.django_db
def test_a_line_failure_is_shown_to_supervisors_only(make_user: Any, region: Organisation) -> None:
    boss = make_user("kierownik", roles=[(region, Role.SUPERVISOR)])
    consultant = make_user("konsultant", roles=[(region, Role.CONSULTANT)])
    alert_failure("ari", "Połączenie z Asteriskiem zerwane.")
    assert any("Połączenie z Asteriskiem zerwane." in alert.text for alert in alerts_for(boss))
    assert not any("Asteriskiem" in alert.text for alert in alerts_for(consultant))

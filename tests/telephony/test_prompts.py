"""Prompts: a supervisor's synthesised or uploaded prompt is what adapters play for its code (an
announcement's new text at once); without one, the flow's text is spoken; only supervisors of
the office may change them, every change audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.telephony import audio, prompts
from okienko.telephony.media_models import Prompt, PromptAudio
from tests.telephony.media_helpers import needs_tools, tone_wav, use_private_folders

pytestmark = [pytest.mark.django_db, needs_tools]


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def boss(make_user: Any, office: Organisation) -> User:
    user: User = make_user("kierownik", roles=[(office, Role.SUPERVISOR)])
    return user


def test_an_announcement_change_is_heard_on_the_next_call(
    boss: User, office: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    prompt = prompts.synthesise_prompt(
        actor=boss,
        organisation=office,
        code="office-closed",
        name="Zamknięte",
        text="Urząd jest dziś nieczynny.",
        is_announcement=True,
    )
    source = prompts.DjangoPromptSource("pup-a")
    first = source.audio_for("office-closed", "tekst z przepływu", 8000)
    assert first.read_bytes() == PromptAudio.objects.get(prompt=prompt, sample_rate=8000).file.read()
    with django_capture_on_commit_callbacks(execute=True):
        prompts.change_prompt(actor=boss, prompt=prompt, text="Urząd jest dziś czynny do 12.")
    second = source.audio_for("office-closed", "tekst z przepływu", 8000)
    assert second != first
    assert not first.exists()  # the old file went with the change
    assert audio.wav_seconds(second.read_bytes()) > 1
    assert PromptAudio.objects.filter(prompt=prompt).count() == 2
    change = AuditRecord.objects.get(action="telephony.prompt_changed")
    assert change.changes["text"] == ["Urząd jest dziś nieczynny.", "Urząd jest dziś czynny do 12."]


def test_without_a_prompt_the_flows_text_is_spoken_and_cached(region: Organisation) -> None:
    source = prompts.DjangoPromptSource()
    path = source.audio_for("welcome", "Dzień dobry.", 16000)
    assert path == audio.cached("Dzień dobry.", sample_rate=16000)
    assert source.audio_for("", "Dzień <b>dobry</b>.", 8000).is_file()  # flow text made speakable


def test_a_switched_off_prompt_falls_back_to_the_flows_text(boss: User, office: Organisation) -> None:
    prompt = prompts.synthesise_prompt(actor=boss, organisation=office, code="x", name="X", text="Stary tekst.")
    prompts.change_prompt(actor=boss, prompt=prompt, active=False)
    assert prompts.DjangoPromptSource().audio_for("x", "Nowy.", 8000) == audio.cached("Nowy.")
    assert prompts.active_announcement("pup-a", "x") is None


def test_an_uploaded_recording_replaces_the_prompt(boss: User, office: Organisation, tmp_path: Path) -> None:
    prompt = prompts.upload_prompt(
        actor=boss,
        organisation=office,
        code="welcome",
        name="Powitanie",
        data=tone_wav(tmp_path, 2.0),
        transcript="Dzień dobry.",
    )
    assert prompt.kind == Prompt.Kind.RECORDED
    assert prompt.duration == pytest.approx(2.0, abs=0.05)
    assert prompts.DjangoPromptSource().audio_for("pup-a/welcome", "", 16000).read_bytes()[:4] == b"RIFF"
    with pytest.raises(prompts.PromptError) as refused:
        prompts.upload_prompt(actor=boss, organisation=office, code="welcome", name="P", data=b"not sound at all")
    assert refused.value.field == "file"
    with pytest.raises(prompts.PromptError):
        prompts.change_prompt(actor=boss, prompt=prompt, text="Inny tekst.")


def test_markup_in_a_prompt_is_refused(boss: User, office: Organisation) -> None:
    with pytest.raises(prompts.PromptError) as refused:
        prompts.synthesise_prompt(actor=boss, organisation=office, code="a", name="A", text="<speak>x</speak>")
    assert refused.value.field == "text"
    assert not Prompt.objects.exists()


def test_only_the_offices_supervisors_manage_its_prompts(make_user: Any, office: Organisation) -> None:
    consultant = make_user("konsultant", roles=[(office, Role.CONSULTANT)])
    other = make_user("obcy", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)])
    for actor in (consultant, other):
        with pytest.raises(PermissionDenied):
            prompts.synthesise_prompt(actor=actor, organisation=office, code="a", name="A", text="Tekst.")


def test_the_consent_text_is_the_offices_prompt_or_the_default(boss: User, office: Organisation) -> None:
    assert "recorded" in prompts.consent_text("pup-a") or "nagryw" in prompts.consent_text("pup-a")
    prompts.synthesise_prompt(
        actor=boss, organisation=office, code="consent-recording", name="Zgoda", text="Rozmowa jest nagrywana."
    )
    assert prompts.consent_text("pup-a") == "Rozmowa jest nagrywana."


def test_an_announcement_is_never_played_on_another_offices_line(boss: User, office: Organisation) -> None:
    prompts.synthesise_prompt(
        actor=boss,
        organisation=office,
        code="office-closed",
        name="Zamknięte",
        text="Urząd A jest dziś nieczynny.",
        is_announcement=True,
        active=True,
    )
    own = prompts.DjangoPromptSource("pup-a").audio_for("office-closed", "Tekst przepływu.", 8000)
    assert own != audio.cached("Tekst przepływu.")
    assert prompts.DjangoPromptSource("pup-b").audio_for("office-closed", "Tekst przepływu.", 8000) == audio.cached(
        "Tekst przepływu."
    )
    assert prompts.find_prompt("pup-a/office-closed") is not None
    assert prompts.find_prompt("office-closed") is None

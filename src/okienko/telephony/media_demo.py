"""Demo prompts, voicemail boxes and a recording (issue 16), loaded by ``telephony.demo``: per
office with a phone queue the recording notice ("consent-recording") and the "office-closed"
announcement (switched off: a supervisor switches it on from the desk's prompts page), a
voicemail box per demo labour office, and one recording of a made-up call (speech, no personal
data) on the regional queue so the playback page can be tried. Idempotent: prompts a supervisor
already changed are left alone. Without espeak-ng the prompts are kept as text only (the phone
speaks them when it can)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.telephony import audio, prompts, recordings
from okienko.telephony.media_models import CONSENT_PROMPT, OFFICE_CLOSED, CallRecording, Prompt, VoicemailBox
from okienko.telephony.models import PhoneQueue

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "Rozmowa jest nagrywana w celu udokumentowania sposobu załatwienia sprawy. "
    "Administratorem danych jest urząd, z którym się łączysz. Informacje o przetwarzaniu danych "
    "przekaże konsultant oraz znajdziesz je na stronie urzędu."
)
CLOSED_TEXT = "Urząd jest dziś nieczynny. Zapraszamy w najbliższy dzień roboczy od godziny ósmej."
DEMO_CALL = "demo-nagranie-1"
DEMO_DIALOGUE = (
    "Dzień dobry, Powiatowy Urząd Pracy, w czym mogę pomóc? "
    "Dzień dobry, chciałbym zapytać, jakie dokumenty są potrzebne do rejestracji jako osoba bezrobotna. "
    "Potrzebny będzie dowód osobisty oraz świadectwa pracy. Wizytę można umówić przez internet."
)


def load(*, stdout: Any) -> None:
    offices = Organisation.objects.filter(pk__in=PhoneQueue.objects.values("organisation")).order_by("code")
    made = 0
    for office in offices:
        made += _prompt(office, CONSENT_PROMPT, "Informacja o nagrywaniu rozmowy", CONSENT_TEXT, announcement=False)
        made += _prompt(office, OFFICE_CLOSED, "Komunikat: urząd dziś nieczynny", CLOSED_TEXT, announcement=True)
        VoicemailBox.objects.get_or_create(
            code=f"vm-{office.code}"[:60],
            defaults={
                "organisation": office,
                "name": f"Poczta głosowa — {office.name}"[:200],
                "greeting": "Prosimy zostawić wiadomość po sygnale. Oddzwonimy najszybciej, jak to możliwe.",
            },
        )
    _recording()
    stdout.write(
        f"demo: {made} phone prompts spoken, {VoicemailBox.objects.count()} voicemail boxes, "
        f"{CallRecording.objects.filter(call=DEMO_CALL).count()} demo recording"
    )


def _prompt(office: Organisation, code: str, name: str, text: str, *, announcement: bool) -> int:
    if Prompt.objects.filter(organisation=office, code=code).exists():
        return 0
    try:
        prompts.synthesise_prompt(
            actor=None,
            organisation=office,
            code=code,
            name=name,
            text=text,
            is_announcement=announcement,
            active=not announcement,
        )
        return 1
    except prompts.PromptError as exc:  # espeak-ng missing: keep the text, the phone speaks it later
        log.warning("demo prompt %s of %s without sound: %s", code, office.code, exc.message)
        Prompt.objects.create(
            organisation=office,
            code=code,
            name=name,
            text=text,
            is_announcement=announcement,
            active=not announcement,
            updated_at=clock.now(),
        )
        return 0


def _recording() -> None:
    queue = (
        PhoneQueue.objects.filter(record_calls=False, code="tel-wup-bialystok").first() or PhoneQueue.objects.first()
    )
    if queue is None or CallRecording.objects.filter(call=DEMO_CALL).exists():
        return
    try:
        sound = audio.synthesise(DEMO_DIALOGUE, sample_rate=8000).read_bytes()
    except audio.AudioError as exc:
        log.warning("no demo recording: %s", exc.message)
        return
    seconds = audio.wav_seconds(sound)
    ended = clock.now() - dt.timedelta(hours=1)
    with tempfile.TemporaryDirectory(prefix="okienko-demo-") as work:
        path = Path(work) / "call.wav"
        path.write_bytes(sound)
        recordings.store_recording(
            DEMO_CALL,
            path,
            started=ended - dt.timedelta(seconds=seconds),
            ended=ended,
            queue=queue.code,
            flow="demo",
            consent_played=True,
        )

"""Phone prompts: what adapters with real audio play (``DjangoPromptSource``) and the actions
supervisors take on them — upload a recording, have a text spoken, change an announcement.

A flow's play step names a prompt by its code (``"prompt": "office-closed"``); the adapter asks
``audio_for(code, text, rate)``. The office's recorded or synthesised prompt of that code wins
(read from the database on every call, so an announcement changed on the desk is heard at once);
without one, the step's own text is spoken (espeak-ng, cached by ``telephony.audio``).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.telephony import audio
from okienko.telephony.media_models import CONSENT_PROMPT, OFFICE_CLOSED, Prompt, PromptAudio

log = logging.getLogger(__name__)

__all__ = [
    "CONSENT_PROMPT",
    "OFFICE_CLOSED",
    "DjangoPromptSource",
    "PromptError",
    "active_announcement",
    "change_prompt",
    "consent_text",
    "find_prompt",
    "synthesise_prompt",
    "upload_prompt",
]

WAV = "audio/wav"


def default_consent_text() -> str:
    return _(
        "This call is recorded to document how your matter was handled. "
        "You can ask the consultant about the processing of your data."
    )


class PromptError(Exception):
    """A prompt could not be saved; ``message`` says why, ``field`` which input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# -- what adapters play ----------------------------------------------------------------------


def find_prompt(prompt_id: str, office: str = "") -> Prompt | None:
    """The active prompt called ``prompt_id`` (``"<office code>/<code>"`` or a bare code): the
    given office's first, else the one of the lowest-numbered office that has it — except an
    announcement, which is only ever its own office's (one office closed must not be announced
    on another's line)."""
    if "/" in prompt_id:
        office, _sep, prompt_id = prompt_id.partition("/")
    if not prompt_id:
        return None
    found = Prompt.objects.filter(code=prompt_id[:60], active=True).select_related("organisation")
    if office:
        own = found.filter(organisation__code=office).first()
        if own is not None:
            return own
    return found.filter(is_announcement=False).order_by("organisation_id").first()


def speakable(text: str) -> str:
    """Flow text made safe to speak (markup and control characters out, at most ``MAX_TEXT``)."""
    kept = "".join(
        " " if ch in "<>[]" or unicodedata.category(ch).startswith("C") else ch for ch in text[: audio.MAX_TEXT]
    )
    return " ".join(kept.split()) or "."


class DjangoPromptSource:
    """``engine.adapter.PromptSource`` from the database and espeak-ng (synchronous: adapters
    call it from a worker thread)."""

    def __init__(self, office: str = "") -> None:
        self.office = office

    def audio_for(self, prompt_id: str, text: str, rate: int) -> Path:
        rate = rate if rate in audio.RATES else 8000
        prompt = find_prompt(prompt_id, self.office) if prompt_id else None
        if prompt is not None:
            stored = prompt.audio.filter(sample_rate=rate).first()
            if stored is not None and stored.file and Path(stored.file.path).is_file():
                return Path(stored.file.path)
            if prompt.text:
                try:
                    return audio.synthesise(prompt.text, prompt.voice or None, prompt.rate, sample_rate=rate)
                except audio.TextRefused:
                    log.warning("prompt %s has text the synthesiser refuses", prompt.pk)
        return audio.synthesise(speakable(text), sample_rate=rate)


def consent_text(office: str = "") -> str:
    """What the caller hears before a recorded call: the office's "consent-recording" prompt's
    text (or the first office's), else the default wording."""
    prompt = find_prompt(CONSENT_PROMPT, office)
    return prompt.text if prompt is not None and prompt.text else default_consent_text()


def active_announcement(office: str, code: str = OFFICE_CLOSED) -> Prompt | None:
    """The office's announcement ``code`` when a supervisor switched it on (else None)."""
    return Prompt.objects.filter(organisation__code=office, code=code, is_announcement=True, active=True).first()


# -- what supervisors do ---------------------------------------------------------------------


def may_manage(user: Actor, organisation: Organisation) -> bool:
    return access.has_perm_in(user, Perm.QUEUES_SUPERVISE, organisation)


def _require(actor: Actor, organisation: Organisation) -> None:
    if actor is not None and not may_manage(actor, organisation):
        raise PermissionDenied(Perm.QUEUES_SUPERVISE)


def _checked_code(code: str) -> str:
    cleaned = code.strip().lower()
    if not cleaned or len(cleaned) > 60 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in cleaned):
        raise PromptError(_("The code may have only letters a–z, digits, “-” and “_” (at most 60)."), "code")
    return cleaned


def _checked_name(name: str) -> str:
    cleaned = " ".join(name.split())[:200]
    if not cleaned or any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise PromptError(_("Give the prompt a name."), "name")
    return cleaned


def _store_audio(prompt: Prompt, wav8: bytes, wav16: bytes) -> None:
    """Replace the prompt's audio (the old files are deleted once the change is committed)."""
    old = list(prompt.audio.all())
    now = clock.now()
    for stored in old:
        stored.delete()
    for rate, data in ((8000, wav8), (16000, wav16)):
        row = PromptAudio(
            prompt=prompt,
            sample_rate=rate,
            created_at=now,
            original_name=f"{prompt.code}-{rate // 1000}k.wav",
            content_type=WAV,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        row.file.save("upload", ContentFile(data), save=False)
        row.save()
    for stored in old:
        name = stored.file.name
        storage = stored.file.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))  # type: ignore[misc]


def synthesise_prompt(
    *,
    actor: Actor,
    organisation: Organisation,
    code: str,
    name: str,
    text: str,
    voice: str = "",
    rate: int | None = None,
    is_announcement: bool = False,
    active: bool = True,
) -> Prompt:
    """Create (or replace, by code) a prompt spoken by espeak-ng from ``text``."""
    _require(actor, organisation)
    code, name = _checked_code(code), _checked_name(name)
    try:
        cleaned = audio.clean_text(text)
        wav8, wav16, seconds = audio.synthesise_bytes(cleaned, voice or None, rate)
    except audio.AudioError as exc:
        raise PromptError(exc.message, "text") from exc
    return _save(
        actor=actor,
        organisation=organisation,
        code=code,
        values={
            "name": name,
            "kind": Prompt.Kind.SYNTHESISED,
            "text": cleaned,
            "voice": voice,
            "rate": rate,
            "is_announcement": is_announcement,
            "active": active,
            "duration": round(seconds, 2),
        },
        sound=(wav8, wav16),
    )


def upload_prompt(
    *,
    actor: Actor,
    organisation: Organisation,
    code: str,
    name: str,
    data: bytes,
    transcript: str = "",
    is_announcement: bool = False,
) -> Prompt:
    """Create (or replace, by code) a recorded prompt from an uploaded sound file (checked and
    converted by ``audio.convert_upload``)."""
    _require(actor, organisation)
    code, name = _checked_code(code), _checked_name(name)
    if len(transcript) > audio.MAX_TEXT:
        raise PromptError(
            _("The transcript is too long: at most %(max)d characters.") % {"max": audio.MAX_TEXT}, "text"
        )
    try:
        wav8, wav16, seconds = audio.convert_upload(data)
    except audio.AudioError as exc:
        raise PromptError(exc.message, "file") from exc
    return _save(
        actor=actor,
        organisation=organisation,
        code=code,
        values={
            "name": name,
            "kind": Prompt.Kind.RECORDED,
            "text": transcript.strip(),
            "is_announcement": is_announcement,
            "active": True,
            "duration": seconds,
        },
        sound=(wav8, wav16),
    )


def change_prompt(*, actor: Actor, prompt: Prompt, text: str | None = None, active: bool | None = None) -> Prompt:
    """An announcement's (or any synthesised prompt's) new text, spoken again; or switched on
    or off. Takes effect on the next call (``DjangoPromptSource`` reads it every time)."""
    _require(actor, prompt.organisation)
    values: dict[str, object] = {}
    sound = None
    if text is not None and text.strip() != prompt.text:
        if prompt.kind != Prompt.Kind.SYNTHESISED:
            raise PromptError(_("Upload a new recording to change a recorded prompt."), "text")
        try:
            cleaned = audio.clean_text(text)
            wav8, wav16, seconds = audio.synthesise_bytes(cleaned, prompt.voice or None, prompt.rate)
        except audio.AudioError as exc:
            raise PromptError(exc.message, "text") from exc
        values.update(text=cleaned, duration=round(seconds, 2))
        sound = (wav8, wav16)
    if active is not None and active != prompt.active:
        values["active"] = active
    if not values:
        return prompt
    return _save(actor=actor, organisation=prompt.organisation, code=prompt.code, values=values, sound=sound)


def _save(
    *,
    actor: Actor,
    organisation: Organisation,
    code: str,
    values: dict[str, object],
    sound: tuple[bytes, bytes] | None,
) -> Prompt:
    fields = ["name", "kind", "text", "voice", "rate", "is_announcement", "active"]
    with transaction.atomic():
        prompt = Prompt.objects.select_for_update().filter(organisation=organisation, code=code).first()
        created = prompt is None
        if prompt is None:
            prompt = Prompt(organisation=organisation, code=code)
        before = audit.snapshot(prompt, fields) if not created else {}
        for key, value in values.items():
            setattr(prompt, key, value)
        prompt.updated_at = clock.now()
        prompt.updated_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
        prompt.save()
        if sound is not None:
            _store_audio(prompt, *sound)
        audit.record(
            "telephony.prompt_created" if created else "telephony.prompt_changed",
            actor=actor,
            obj=prompt,
            organisation_id=organisation.pk,
            changes=audit.diff(before, audit.snapshot(prompt, fields)),
            data={"code": code, "audio": bool(sound)},
        )
    return prompt

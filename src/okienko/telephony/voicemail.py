"""Voicemail: a caller's message lands in the office's box (a sound file) and as a callback in the
office's callback queue (``directory.request_callback``, so closing it goes onto the client's
history and notifies them like every callback). The office's staff listen to it on the desk
(each playback logged) and call back from the console.

``leave_message`` is what the runtime calls instead of ``directory.request_callback`` when the
caller left a message: in the simulator the caller types it, and the text is spoken by espeak-ng
into the message's sound so a demo voicemail can be played."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import tempfile
import wave
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, clock
from okienko.core.actors import Actor, SystemActor
from okienko.core.models import AuditRecord
from okienko.telephony import audio
from okienko.telephony.media_models import VoicemailBox, VoicemailMessage

log = logging.getLogger(__name__)

ENGINE = SystemActor("telephony")


def box_for(box_code_or_office: str) -> VoicemailBox | None:
    """The box with this code, else the office's (first active) box, created for an office that
    has none yet (a message must never be lost for want of a box)."""
    box = VoicemailBox.objects.filter(code=box_code_or_office).select_related("organisation").first()
    if box is not None:
        return box
    organisation = Organisation.objects.filter(code=box_code_or_office).first()
    if organisation is None:
        return None
    box = VoicemailBox.objects.filter(organisation=organisation, active=True).order_by("pk").first()
    if box is None:
        box, _created = VoicemailBox.objects.get_or_create(
            code=f"vm-{organisation.code}"[:60],
            defaults={
                "organisation": organisation,
                "name": _("Voicemail — %(office)s") % {"office": organisation.name},
            },
        )
    return box


def store_voicemail(
    box_code_or_office: str,
    call_id: str,
    caller: str,
    client_id: str,
    path: Path | str,
    duration: float,
    *,
    transcript: str = "",
    entry: str = "",
) -> VoicemailMessage:
    """Keep the message in ``path`` (deleted once stored) in the box, and open the office's
    callback for it. Raises LookupError for an unknown box/office, OSError when it cannot be
    stored (the runtime logs it and tells the caller)."""
    from okienko.clients.models import Client
    from okienko.telephony import directory

    box = box_for(box_code_or_office)
    if box is None:
        raise LookupError(box_code_or_office)
    source = Path(path)
    data = source.read_bytes()
    client = Client.objects.filter(pk=int(client_id)).first() if client_id.isdigit() else None
    now = clock.now()
    with transaction.atomic():
        message = VoicemailMessage(
            box=box,
            call=call_id[:64],
            caller=caller[:40],
            client=client,
            duration=round(float(duration), 2),
            transcript=transcript[:2000],
            received_at=now,
            created_at=now,
            original_name=f"voicemail-{call_id[:50]}.wav",
            content_type="audio/wav",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        message.file.save("upload", ContentFile(data), save=False)
        message.save()
        reason = _("Voicemail (%(seconds)d s) in %(box)s from %(caller)s.") % {
            "seconds": round(message.duration),
            "box": box.name,
            "caller": caller or _("unknown number"),
        }
        if entry:
            reason += " " + _("Line %(number)s.") % {"number": entry}
        if transcript:
            reason += " " + _("Message: %(text)s") % {"text": transcript}
        callback_id = directory.request_callback(
            office=box.organisation.code, client_id=client_id, caller=caller, reason=reason
        )
        if callback_id:
            message.callback_id = int(callback_id)
            message.save(update_fields=["callback"])
        audit.record(
            "telephony.voicemail_received",
            actor=ENGINE,
            obj=message,
            organisation_id=box.organisation_id,
            data={"call": message.call, "box": box.code, "sha256": message.sha256, "callback": callback_id},
        )
    with contextlib.suppress(OSError):
        source.unlink()
    return message


def silence(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of silence (the sound of a typed message when espeak-ng is missing)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\0\0" * int(seconds * rate))
    return out.getvalue()


def leave_message(
    *, office: str, client_id: str, caller: str, reason: str, message: str, call: str = "", entry: str = ""
) -> str:
    """The simulator's voicemail: ``message`` (typed by the caller) spoken into a sound and kept
    in the office's box with its callback. Same arguments and answer as
    ``directory.request_callback`` (plus ``message``, ``call`` and ``entry``): the callback's id,
    or "" when the office is unknown. ``reason`` is not used (the callback says it is voicemail)."""
    text = " ".join(message.split())[: audio.MAX_TEXT]
    try:
        from okienko.telephony.prompts import speakable

        data = audio.synthesise(speakable(text), sample_rate=8000).read_bytes()
    except audio.AudioError as exc:
        log.warning("voicemail of call %s kept without speech: %s", call, exc.message)
        data = silence()
    with tempfile.TemporaryDirectory(prefix="okienko-vm-") as work:
        path = Path(work) / "message.wav"
        path.write_bytes(data)
        try:
            stored = store_voicemail(
                office, call or "sim", caller, client_id, path, audio.wav_seconds(data), transcript=text, entry=entry
            )
        except LookupError:
            return ""
    return str(stored.callback_id or "")


# -- who sees them -----------------------------------------------------------------------------


def visible_to(user: Actor) -> QuerySet[VoicemailMessage]:
    """Messages in the boxes of offices where ``user`` records contacts."""
    return VoicemailMessage.objects.filter(
        box__organisation__in=access.organisations_with(user, Perm.INTERACTIONS_RECORD)
    )


def may_listen(user: Actor, message: VoicemailMessage) -> bool:
    return access.has_perm_in(user, Perm.INTERACTIONS_RECORD, message.box.organisation)


def record_listened(user: Actor, message: VoicemailMessage) -> None:
    """A playback: audited (personal data) and the first listener noted on the message."""
    with transaction.atomic():
        if message.listened_at is None:
            message.listened_at = clock.now()
            message.listened_by = user  # type: ignore[assignment]
            message.save(update_fields=["listened_at", "listened_by"])
        audit.record(
            "telephony.voicemail_played",
            actor=user,
            obj=message,
            organisation_id=message.box.organisation_id,
            data={"call": message.call, "box": message.box.code},
            kind=AuditRecord.Kind.ACCESS,
        )


def mark_handled(user: Actor, message: VoicemailMessage) -> None:
    """The consultant took the message on (calling back from the console)."""
    if message.handled_at is not None:
        return
    with transaction.atomic():
        message.handled_at = clock.now()
        message.save(update_fields=["handled_at"])
        audit.record(
            "telephony.voicemail_handled",
            actor=user,
            obj=message,
            organisation_id=message.box.organisation_id,
            data={"call": message.call, "callback": message.callback_id},
        )

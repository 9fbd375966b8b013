"""Call recordings: stored when an adapter reports a finished one (``store_recording``, called
by the runtime from a worker thread), seen only by supervisors of the recording's office
(``visible_to``; every playback audited by the desk), deleted when their retention ends
(``purge_expired``, the daily ``okienko.telephony.purge_recordings`` task).

A recording that cannot be stored (disk full, storage gone) never stops the call: the error is
logged and written to the audit log as a ``telephony.failure``, which supervisors see on the
desk's start page; the adapter's file is left where it is so it can be saved by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, clock
from okienko.core.actors import Actor, SystemActor
from okienko.core.ids import parse_uuid
from okienko.core.models import AuditRecord
from okienko.telephony.media_models import DEFAULT_LEGAL_BASIS, CallRecording

log = logging.getLogger(__name__)

ENGINE = SystemActor("telephony")
FAILURE = "telephony.failure"  # the action the desk's phone-line alert shows
UTC = dt.UTC


def sniff_type(head: bytes) -> str:
    """The sound's MIME type from its first bytes (adapters write WAV; Asterisk may write others)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return "application/octet-stream"


def _moment(value: float | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(float(value), UTC)


def alert_failure(what: str, detail: str, organisation: Organisation | None = None) -> None:
    """Tell staff (audit log → the desk's start page) that something failed; never raises."""
    try:
        audit.record(
            FAILURE,
            actor=ENGINE,
            organisation_id=organisation.pk if organisation else None,
            data={"what": what[:40], "detail": detail[:500]},
            kind=AuditRecord.Kind.SECURITY,
        )
    except Exception:  # the alert itself must not take the call down
        log.exception("could not record the failure %s: %s", what, detail)


def store_recording(
    call_id: str,
    path: Path | str,
    *,
    started: float | dt.datetime,
    ended: float | dt.datetime,
    queue: str,
    flow: str = "",
    consent_played: bool,
    interaction: Any = None,
    office: str = "",
) -> CallRecording | None:
    """Keep the adapter's finished recording of ``call_id`` (``path``, deleted once stored) with
    its sha256, the queue's legal basis and retention; ``interaction`` is the call's contact (an
    ``Interaction`` or its uuid). Returns None — after logging and alerting — when it cannot be
    stored (OSError: disk full, unreadable file; or no office for it): the call goes on."""
    from okienko.interactions.models import Interaction
    from okienko.telephony.models import PhoneQueue

    source = Path(path)
    phone_queue = PhoneQueue.objects.filter(code=queue).select_related("organisation").first() if queue else None
    organisation = (
        phone_queue.organisation
        if phone_queue
        else Organisation.objects.filter(code=office).first()
        if office
        else None
    )
    if organisation is None:
        log.error("recording of call %s: no office for queue %r / office %r", call_id, queue, office)
        alert_failure("recording", f"call {call_id}: no office for queue {queue!r}; file kept at {source}")
        return None
    if isinstance(interaction, str):
        key = parse_uuid(interaction)
        interaction = Interaction.objects.filter(uuid=key).first() if key else None
    days = phone_queue.recording_retention_days if phone_queue else 90
    basis = (phone_queue.recording_legal_basis if phone_queue else "") or DEFAULT_LEGAL_BASIS
    try:
        data = source.read_bytes()
        recording = CallRecording(
            organisation=organisation,
            call=call_id[:64],
            interaction=interaction if isinstance(interaction, Interaction) else None,
            queue=queue[:60],
            flow=flow[:60],
            started_at=_moment(started),
            ended_at=max(_moment(ended), _moment(started)),
            consent_played=consent_played,
            legal_basis=basis,
            retain_until=clock.now().date() + dt.timedelta(days=days),
            created_at=clock.now(),
            original_name=f"{call_id[:60]}.wav",
            content_type=sniff_type(data[:16]),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        with transaction.atomic():
            recording.file.save("upload", ContentFile(data), save=False)
            recording.save()
            audit.record(
                "telephony.recording_stored",
                actor=ENGINE,
                obj=recording,
                organisation_id=organisation.pk,
                data={"call": recording.call, "sha256": recording.sha256, "retain_until": recording.retain_until},
            )
    except OSError as exc:
        log.exception("the recording of call %s could not be stored (%s)", call_id, source)
        alert_failure(
            "recording",
            f"call {call_id}: the recording could not be stored ({exc.strerror or exc}); file kept at {source}",
            organisation,
        )
        return None
    try:
        source.unlink()
    except OSError:
        log.warning("could not delete the adapter's recording %s", source)
    return recording


# -- who sees them -----------------------------------------------------------------------------


def visible_to(user: Actor) -> QuerySet[CallRecording]:
    """Recordings of the offices whose queues ``user`` supervises."""
    return CallRecording.objects.filter(organisation__in=access.organisations_with(user, Perm.QUEUES_SUPERVISE))


def may_play(user: Actor, recording: CallRecording) -> bool:
    return access.has_perm_in(user, Perm.QUEUES_SUPERVISE, recording.organisation)


def record_played(user: Actor, recording: CallRecording, purpose: str = "") -> None:
    """Every playback (or download) of a recording is an access to personal data."""
    audit.record(
        "telephony.recording_played",
        actor=user,
        obj=recording,
        organisation_id=recording.organisation_id,
        data={"call": recording.call, "sha256": recording.sha256, "purpose": purpose[:200]},
        kind=AuditRecord.Kind.ACCESS,
    )


# -- retention ---------------------------------------------------------------------------------


def purge_expired(today: dt.date | None = None, *, batch: int = 500) -> int:
    """Delete recordings whose ``retain_until`` has passed: the file, then the row, each with an
    audit record (sha256, call id). Returns how many went. Idempotent."""
    day = today or clock.now().date()
    deleted = 0
    while True:
        expired = list(CallRecording.objects.filter(retain_until__lt=day).order_by("pk")[:batch])
        if not expired:
            return deleted
        for recording in expired:
            name, storage = recording.file.name, recording.file.storage
            with transaction.atomic():
                audit.record(
                    "telephony.recording_deleted",
                    actor=ENGINE,
                    obj=recording,
                    organisation_id=recording.organisation_id,
                    data={
                        "call": recording.call,
                        "sha256": recording.sha256,
                        "retain_until": recording.retain_until,
                        "reason": "retention",
                    },
                )
                recording.delete()
            try:
                if name:
                    storage.delete(name)
            except OSError:
                log.exception("could not delete the file %s of an expired recording", name)
            deleted += 1

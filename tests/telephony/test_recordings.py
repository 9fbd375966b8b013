"""Call recordings: stored with sha256, the queue's legal basis and retention; a storage failure
(disk full) never stops the call but is logged and alerted; expired recordings are deleted, file
and row, each deletion audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.core.models import AuditRecord
from okienko.telephony import recordings
from okienko.telephony.media_models import DEFAULT_LEGAL_BASIS, CallRecording
from okienko.telephony.models import PhoneQueue
from okienko.telephony.tasks import purge_recordings
from tests.telephony.media_helpers import quiet_wav, use_private_folders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _folders(settings: Any, tmp_path: Path) -> None:
    use_private_folders(settings, tmp_path)


@pytest.fixture
def queue(region: Organisation) -> PhoneQueue:
    return PhoneQueue.objects.create(
        organisation=Organisation.objects.get(code="pup-a"),
        code="tel-pup-a",
        name="Linia A",
        record_calls=True,
        recording_retention_days=30,
    )


def _file(tmp_path: Path, name: str = "rec.wav") -> Path:
    path = tmp_path / name
    path.write_bytes(quiet_wav(2.0))
    return path


def test_a_finished_recording_is_stored_with_its_digest_basis_and_retention(tmp_path: Path, queue: PhoneQueue) -> None:
    path = _file(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    started = clock.now().timestamp()
    stored = recordings.store_recording(
        "c1-1", path, started=started, ended=started + 42, queue="tel-pup-a", flow="pup", consent_played=True
    )
    assert stored is not None
    assert stored.sha256 == digest
    assert stored.organisation == queue.organisation
    assert stored.legal_basis == DEFAULT_LEGAL_BASIS
    assert stored.retain_until == clock.now().date() + dt.timedelta(days=30)
    assert stored.consent_played is True
    assert stored.seconds == 42
    assert stored.content_type == "audio/wav"
    assert Path(stored.file.path).read_bytes()[:4] == b"RIFF"
    assert not path.exists()  # the adapter's file is gone once stored
    assert AuditRecord.objects.filter(action="telephony.recording_stored", data__sha256=digest).exists()


def test_storage_full_does_not_raise_and_alerts_the_supervisors(
    tmp_path: Path, queue: PhoneQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage._save", full)
    stored = recordings.store_recording("c1-2", path, started=0.0, ended=10.0, queue="tel-pup-a", consent_played=True)
    assert stored is None
    assert path.exists()  # kept for saving by hand
    assert not CallRecording.objects.exists()
    alert = AuditRecord.objects.get(action="telephony.failure")
    assert "No space left on device" in alert.data["detail"]
    assert alert.organisation_id == queue.organisation_id


def test_an_unreadable_file_is_alerted_too(tmp_path: Path, queue: PhoneQueue) -> None:
    assert (
        recordings.store_recording(
            "c1-3", tmp_path / "gone.wav", started=0.0, ended=1.0, queue="tel-pup-a", consent_played=False
        )
        is None
    )
    assert AuditRecord.objects.filter(action="telephony.failure").count() == 1


def test_expired_recordings_are_deleted_file_and_row_each_audited(tmp_path: Path, queue: PhoneQueue) -> None:
    old = recordings.store_recording(
        "old", _file(tmp_path, "a.wav"), started=0.0, ended=1.0, queue="tel-pup-a", consent_played=True
    )
    kept = recordings.store_recording(
        "new", _file(tmp_path, "b.wav"), started=0.0, ended=1.0, queue="tel-pup-a", consent_played=True
    )
    assert old is not None
    assert kept is not None
    CallRecording.objects.filter(pk=old.pk).update(retain_until=clock.now().date() - dt.timedelta(days=1))
    old_file = Path(old.file.path)
    assert purge_recordings() == 1
    assert not old_file.exists()
    assert list(CallRecording.objects.values_list("call", flat=True)) == ["new"]
    assert Path(kept.file.path).exists()
    deleted = AuditRecord.objects.get(action="telephony.recording_deleted")
    assert deleted.data["call"] == "old"
    assert deleted.data["sha256"] == old.sha256
    assert purge_recordings() == 0  # idempotent

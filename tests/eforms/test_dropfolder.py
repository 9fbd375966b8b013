"""The drop folder: every file taken once, kept when the intake fails, the example files accepted."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command

from okienko.channels.eforms import demo, dropfolder, intake, sample
from okienko.channels.eforms.models import EFormSubmission
from okienko.channels.tasks import receive_eforms

from .conftest import Office, report


def test_each_dropped_file_is_taken_once_and_moved_to_processed(office: Office, signer: sample.Signer) -> None:
    inbox = dropfolder.inbox()
    inbox.mkdir(parents=True, exist_ok=True)
    raw = report(signer)
    (inbox / "a.xml").write_bytes(raw)
    (inbox / "b.xml").write_bytes(raw)  # the same bytes again: a duplicate
    (inbox / "c.xml").write_bytes(b"<nie-xml")
    (inbox / "notes.txt").write_text("not a submission")
    result = dropfolder.process_inbox()
    assert result.as_dict() == {
        "taken": 3,
        "accepted": 1,
        "rejected": 1,
        "quarantined": 0,
        "duplicates": 1,
        "failed": 0,
    }
    assert sorted(p.name for p in inbox.iterdir()) == ["notes.txt"]
    assert len(list((inbox.parent / "processed").iterdir())) == 3
    assert EFormSubmission.objects.count() == 2
    assert dropfolder.process_inbox().taken == 0


def test_a_file_whose_intake_fails_goes_back_to_the_inbox(office: Office) -> None:
    inbox = dropfolder.inbox()
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "a.xml").write_bytes(report())
    with mock.patch("okienko.channels.eforms.intake.receive", side_effect=OSError("database down")):
        result = dropfolder.process_inbox()
    assert result.failed == ["a.xml"]
    assert (inbox / "a.xml").exists()
    assert dropfolder.process_inbox().accepted == 1


def test_the_beat_task_and_the_command_take_the_folder(office: Office, settings: Any, tmp_path: Path) -> None:
    settings.OKIENKO_EFORMS_INBOX = str(tmp_path / "drop")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "one.xml").write_bytes(report())
    assert receive_eforms()["accepted"] == 1
    (tmp_path / "drop" / "two.xml").write_bytes(report(description="Drugie zgłoszenie tego samego miejsca."))
    out = StringIO()
    call_command("eforms_intake", stdout=out)
    assert "accepted 1" in out.getvalue()


def test_the_shipped_example_submissions_are_accepted(office: Office) -> None:
    submission, _new = intake.receive(demo.package_file("example-lodz-zgloszenie.xml"), transport="folder")
    assert submission.status == EFormSubmission.Status.ACCEPTED, submission.reasons
    assert submission.signature == EFormSubmission.Signature.VALID

"""The desk's list of e-form submissions: problems first with their reasons, receipts and
documents downloadable by staff of the receiving office only."""

from __future__ import annotations

from typing import Any

from django.test import Client

from okienko.channels.eforms import intake, sample
from okienko.core.models import AuditRecord

from .conftest import Office, report


def test_rejected_submissions_are_listed_with_their_reasons(client: Client, office: Office) -> None:
    intake.receive(report(description="krótko"), transport="folder")
    client.force_login(office.consultant)
    response = client.get("/desk/eforms/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Zgłoszenie problemu w przestrzeni publicznej" in page
    assert "The form data does not follow the form&#x27;s schema." in page


def test_the_receipt_and_the_document_are_downloads_for_the_office(
    client: Client, office: Office, signer: sample.Signer
) -> None:
    raw = report(signer)
    submission, _new = intake.receive(raw, transport="folder")
    client.force_login(office.consultant)
    receipt = client.get(f"/desk/eforms/{submission.pk}/receipt")
    assert receipt.status_code == 200
    assert receipt["Content-Disposition"].startswith("attachment")
    assert b"".join(receipt.streaming_content).decode() == submission.receipt  # type: ignore[attr-defined]
    document = client.get(f"/desk/eforms/{submission.pk}/document")
    assert b"".join(document.streaming_content) == raw  # type: ignore[attr-defined]
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(submission.pk)).count() == 2


def test_staff_of_another_office_see_nothing(client: Client, office: Office) -> None:
    submission, _new = intake.receive(report(), transport="folder")
    client.force_login(office.outsider)
    assert "Zgłoszenie" not in client.get("/desk/eforms/?show=all").content.decode()
    assert client.get(f"/desk/eforms/{submission.pk}/receipt").status_code == 404
    assert AuditRecord.objects.filter(action="channel_adapters.access_denied").exists()


def _quarantined(office: Office, signer: sample.Signer) -> Any:
    office.service.location_required = True
    office.service.save()
    good = dict(office.form.field_mapping)
    office.form.field_mapping = {**good, "address": "f:Nic", "latitude": "f:Nic"}
    office.form.save()
    submission, _new = intake.receive(report(signer), transport="folder")
    assert submission.status == "quarantined"
    office.form.field_mapping = good
    office.form.save()
    return submission


def test_a_quarantined_submission_is_processed_again_once_its_form_is_put_right(
    client: Client, office: Office, signer: sample.Signer
) -> None:
    submission = _quarantined(office, signer)
    client.force_login(office.consultant)
    assert f"/desk/eforms/{submission.pk}/retry" in client.get("/desk/eforms/").content.decode()
    response = client.post(f"/desk/eforms/{submission.pk}/retry")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert submission.case is not None
    assert "<r:Status>accepted</r:Status>" in submission.receipt
    assert AuditRecord.objects.filter(action="eform.reprocessed", actor_id=office.consultant.pk).exists()


def test_staff_of_another_office_cannot_process_it_again(client: Client, office: Office, signer: sample.Signer) -> None:
    submission = _quarantined(office, signer)
    client.force_login(office.outsider)
    assert client.post(f"/desk/eforms/{submission.pk}/retry").status_code == 404
    submission.refresh_from_db()
    assert submission.status == "quarantined"
    assert client.get(f"/desk/eforms/{submission.pk}/retry").status_code == 405

"""Attachments (real type, size, virus hook, permission-checked download) and escalation."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation

from okienko.cases import actions, files
from okienko.cases.escalation import escalate_cases
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseEvent
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"MZ\x90\x00\x03", "application/x-executable"),
        (b"\x7fELF\x02\x01", "application/x-executable"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "text/html"),
        (b"  <html><body>", "text/html"),
        ("Zwykły tekst notatki".encode(), "text/plain"),
    ],
)
def test_sniff_judges_by_content(data: bytes, mime: str) -> None:
    assert files.sniff(data) == mime


def test_pdf_is_stored_under_media_root_with_detected_type(city: City, frozen: Any, tmp_path: Any) -> None:
    case = open_pothole(city)
    attachment = actions.add_attachment(actor=city.expert, case=case, name="photo.pdf", data=PDF)
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.file.path.startswith(str(tmp_path))
    assert "photo" not in attachment.file.name


@pytest.mark.parametrize(
    "data", [b"MZ\x90\x00 executable", b"<html><script>alert(1)</script></html>"], ids=["exe", "html"]
)
def test_disguised_pdf_is_refused(city: City, frozen: Any, data: bytes) -> None:
    case = open_pothole(city)
    with pytest.raises(CaseInputError) as exc:
        actions.add_attachment(actor=city.expert, case=case, name="invoice.pdf", data=data)
    assert exc.value.errors == {"file": "This type of file is not accepted (PDF, images, documents only)."}
    assert case.attachments.count() == 0


@override_settings(CASES_MAX_ATTACHMENT_BYTES=100)
def test_oversized_file_is_refused(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    with pytest.raises(CaseInputError, match="larger than"):
        actions.add_attachment(actor=city.expert, case=case, name="big.pdf", data=PDF + b"0" * 100)


@override_settings(CASES_VIRUS_SCANNER="okienko.cases.files.eicar_scanner")
def test_virus_scanner_rejects_eicar(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    with pytest.raises(CaseInputError, match="virus check"):
        actions.add_attachment(actor=city.expert, case=case, name="eicar.txt", data=files.EICAR)
    assert case.attachments.count() == 0


def test_download_checks_permission(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    attachment = actions.add_attachment(actor=city.expert, case=case, name="a.pdf", data=PDF)
    url = f"/desk/cases/files/{attachment.uuid}/"
    client.force_login(city.outsider)
    assert client.get(url).status_code == 403
    client.force_login(city.expert)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def _refusal(city: City, data: bytes, name: str = "plik.pdf") -> dict[str, str]:
    case = open_pothole(city)
    with pytest.raises(CaseInputError) as exc:
        actions.add_attachment(actor=city.expert, case=case, name=name, data=data)
    assert case.attachments.count() == 0
    return exc.value.errors


@override_settings(CASES_MAX_ATTACHMENT_BYTES=2 * 1024 * 1024)
def test_too_large_file_is_refused_with_the_cases_limit_in_megabytes(city: City, frozen: Any) -> None:
    data = PDF + b"0" * (2 * 1024 * 1024)
    assert _refusal(city, data) == {"file": "The file is larger than 2 MB."}
    with translation.override("pl"):
        assert _refusal(city, data) == {"file": "Plik jest większy niż 2 MB."}


def test_empty_file_is_refused(city: City, frozen: Any) -> None:
    with translation.override("pl"):
        assert _refusal(city, b"") == {"file": "Plik jest pusty."}


def test_refused_type_keeps_the_cases_wording_in_polish(city: City, frozen: Any) -> None:
    with translation.override("pl"):
        assert _refusal(city, b"MZ\x90\x00") == {
            "file": "Ten rodzaj pliku nie jest przyjmowany (tylko PDF, obrazy, dokumenty)."
        }


@override_settings(CASES_VIRUS_SCANNER="okienko.cases.files.eicar_scanner")
def test_infected_file_is_refused_and_the_scanners_reason_audited(city: City, frozen: Any) -> None:
    with translation.override("pl"):
        assert _refusal(city, files.EICAR, name="dir/eicar.txt") == {
            "file": "Plik nie przeszedł kontroli antywirusowej."
        }
    entry = AuditRecord.objects.get(action="case.attachment_rejected")
    assert entry.data == {"reason": "Eicar-Test-Signature", "name": "dir/eicar.txt"}


@override_settings(UPLOAD_VIRUS_SCANNER="okienko.core.uploads.eicar_scanner")
def test_the_shared_scanner_setting_also_covers_case_attachments(city: City, frozen: Any) -> None:
    """``UPLOAD_VIRUS_SCANNER`` alone (no ``CASES_VIRUS_SCANNER``) scans case files too (ADR 0026)."""
    assert _refusal(city, files.EICAR) == {"file": "The file did not pass the virus check."}


def test_stored_file_keeps_a_cleaned_name_the_hash_and_a_random_path(city: City, frozen: Any) -> None:
    """The folders of the sent name are dropped and surrounding white space is trimmed
    (``uploads.display_name``)."""
    case = open_pothole(city)
    attachment = actions.add_attachment(actor=city.expert, case=case, name=" ../etc\\passwd.pdf ", data=PDF)
    assert attachment.original_name == "passwd.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name == f"cases/2026/11/{attachment.uuid.hex}"
    added = AuditRecord.objects.get(action="case.attachment_added")
    assert added.data == {"attachment": str(attachment.uuid), "type": "application/pdf", "size": len(PDF)}


def test_stored_file_is_named_after_its_real_type_not_the_senders_name(city: City, frozen: Any) -> None:
    """A GIF sent as ``poly.html`` is listed and downloaded as ``poly.gif`` (issue 10, defect 11)."""
    case = open_pothole(city)
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    attachment = actions.add_attachment(actor=city.expert, case=case, name="poly.html", data=gif)
    assert (attachment.original_name, attachment.content_type) == ("poly.gif", "image/gif")
    summary = case.events.get(kind="attachment").summary
    assert "poly.gif" in summary
    assert "html" not in summary


def test_escalation_reminds_then_alerts_once(city: City, frozen: Any) -> None:
    case = open_pothole(city)  # resolve due Mon 30 Nov 16:00 local
    assert escalate_cases().reminded == 0
    frozen.move_to("2026-11-30 08:00:00+00:00")
    assert escalate_cases().reminded == 1
    assert escalate_cases().reminded == 0
    frozen.move_to("2026-12-01 08:00:00+00:00")
    report = escalate_cases()
    assert (report.overdue, report.overdue_3x) == (1, 0)
    assert Case.objects.overdue(dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)).count() == 1
    frozen.move_to("2026-12-15 08:00:00+00:00")
    assert escalate_cases().overdue_3x == 1
    case.refresh_from_db()
    assert case.escalation_level == 3
    kinds = list(CaseEvent.objects.filter(case=case, actor_repr="system").values_list("kind", flat=True))
    assert kinds == ["reminder", "alert_overdue", "alert_overdue_3x"]


def test_resolved_case_is_not_escalated(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    actions.resolve_case(actor=city.expert, case=case, message="done")
    frozen.move_to("2026-12-15 08:00:00+00:00")
    assert escalate_cases() == escalate_cases().__class__(0, 0, 0)

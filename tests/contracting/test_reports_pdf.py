"""Kontraktor's PDF reports (issue 17, ADR 0062): the progress of a contract and a settlement open
as PDF, write Polish, format amounts the Polish way, keep each side's scope, are audited and
logged per participant like the CSV, cap long tables, and say so when the font is missing."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from okienko.accounts.models import User
from okienko.contracting import reports
from okienko.contracting.models import AccessLog, Contract, Participant, Settlement, TrancheDefinition, TrancheLine
from okienko.contracting.states import SettlementStatus, TrancheStatus
from okienko.core import clock, pdf
from okienko.core.models import AuditRecord
from tests.contracting.domain import World, today, world_fixture  # noqa: F401
from tests.contracting.test_desk_pages import referred

pytestmark = pytest.mark.django_db

POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"


def http(user: User | None, language: str = "pl") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"desk:contracting_{name}", args=args)


def pdf_text(data: bytes) -> str:
    """The text of every page, no-break spaces as spaces."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def titled(contract: Contract) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(title=f"Aktywizacja — {POLISH}")
    contract.refresh_from_db()
    return contract


def settled(world: World, participants: list[Participant]) -> Settlement:
    """A submitted settlement of the participants' first two tranches (made directly: the money
    rules have their own tests)."""
    now = clock.now()
    found = Settlement.objects.create(
        contract=world.contract,
        period_start=today() - dt.timedelta(days=30),
        period_end=today(),
        status=SettlementStatus.SUBMITTED,
        total=Decimal("0.00"),
        invoice_reference="FV/7/2026/Łódź",
        created_at=now,
        updated_at=now,
    )
    definitions = list(TrancheDefinition.objects.filter(scheme=world.scheme).order_by("order")[:2])
    total = Decimal("0.00")
    for p in participants:
        for definition, value in zip(definitions, (Decimal("1234.50"), Decimal("2500.00")), strict=True):
            TrancheLine.objects.create(
                participant=p,
                definition=definition,
                status=TrancheStatus.INVOICED,
                amount=value,
                eligible_on=today() - dt.timedelta(days=3),
                settlement=found,
                updated_at=now,
            )
            total += value
    Settlement.objects.filter(pk=found.pk).update(total=total)
    found.refresh_from_db()
    return found


# --- The progress report -------------------------------------------------------------------------


def test_the_progress_pdf_opens_and_writes_polish(world: World) -> None:
    contract = titled(world.contract)
    (p,) = referred(world)
    response = http(world.office).get(url("report_pdf", contract.uuid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="postep-ZL-1-2026.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert POLISH in text
    assert "Raport z realizacji umowy ZL/1/2026" in text
    assert "Agency A" in text
    assert contract.office.name in text
    assert p.ref in text
    assert "skierowani" in text  # the indicator, in Polish
    assert "Strona 1 z 1" in text
    assert "czasu warszawskiego" in text


def test_the_progress_pdf_in_english(world: World) -> None:
    referred(world)
    text = pdf_text(http(world.office, "en").get(url("report_pdf", world.contract.uuid)).content)
    assert "Contract progress report ZL/1/2026" in text
    assert "Page 1 of 1" in text


def test_the_progress_pdf_keeps_each_sides_scope(world: World) -> None:
    (shared,) = referred(world)
    (hidden,) = world.participants(1)
    office_text = pdf_text(http(world.office).get(url("report_pdf", world.contract.uuid)).content)
    assert shared.ref in office_text
    assert hidden.ref in office_text
    agency_text = pdf_text(http(world.agency).get(url("report_pdf", world.contract.uuid)).content)
    assert shared.ref in agency_text
    assert hidden.ref not in agency_text
    assert shared.person is not None
    assert shared.person.last_name not in agency_text  # references only, never personal data
    for user in (world.agency_b, world.office_b):
        before = AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY).count()
        assert http(user).get(url("report_pdf", world.contract.uuid)).status_code == 404
        assert AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY).count() > before
    assert http(world.consultant).get(url("report_pdf", world.contract.uuid)).status_code in (403, 404)
    anonymous = http(None).get(url("report_pdf", world.contract.uuid))
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]
    assert http(world.office).post(url("report_pdf", world.contract.uuid)).status_code == 405


def test_the_progress_pdf_is_audited_and_logged_per_participant(world: World) -> None:
    (p,) = referred(world)
    http(world.agency).get(url("report_pdf", world.contract.uuid))
    record = AuditRecord.objects.get(action="contracting.report.exported")
    assert record.data["format"] == "pdf"
    assert record.data["report"] == "progress"
    assert record.kind == AuditRecord.Kind.ACCESS
    export = AccessLog.objects.get(participant_ref=p.ref, action="export")
    assert export.purpose == "progress_report"
    assert "tranche_amount" in export.fields


def test_a_long_progress_pdf_lists_the_first_rows_and_points_to_the_csv(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = world.participants(3)
    monkeypatch.setattr(reports, "PDF_ROWS", 2)
    text = pdf_text(http(world.office).get(url("report_pdf", world.contract.uuid)).content)
    assert "pierwsze 2 z 3" in text
    assert "CSV" in text
    assert [p.ref in text for p in people] == [True, True, False]
    logged = set(AccessLog.objects.filter(action="export").values_list("participant_ref", flat=True))
    assert logged == {people[0].ref, people[1].ref}  # what the file holds


@pytest.mark.slow
def test_five_thousand_rows_and_no_more() -> None:
    """The cap itself: 6,000 participants make a PDF of 5,000 rows, built in bounded time."""
    from okienko.accounts.models import Organisation

    office = Organisation(name="Powiatowy Urząd Pracy w Białymstoku")
    agency = Organisation(name="Agencja Zatrudnienia „Żuraw”")
    contract = Contract(
        number="ZL/9/2026",
        office=office,
        agency=agency,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        planned_participants=6000,
    )
    rows = [
        reports.ParticipantRow(f"P-{n:016d}", "skierowany", dt.date(2026, 3, 1), n % 2, Decimal("1000.00"))
        for n in range(6000)
    ]
    started = time.monotonic()
    with translation.override("pl"):
        data = reports.progress_pdf(contract, rows, {"referred": {"target": 6000, "reached": 6000}}, total=6000)
    assert time.monotonic() - started < 60
    reader = PdfReader(io.BytesIO(data))
    first = reader.pages[0].extract_text().replace("\xa0", " ")
    assert "pierwsze 5 000 z 6 000" in first
    last = reader.pages[-1].extract_text()
    assert "P-0000000000004999" in last
    assert "P-0000000000005000" not in last
    assert f"Strona {len(reader.pages)} z {len(reader.pages)}" in last


# --- The settlement ------------------------------------------------------------------------------


def test_the_settlement_pdf_has_period_invoice_lines_and_total(world: World) -> None:
    people = referred(world, 2)
    found = settled(world, people)
    response = http(world.agency).get(url("settlement_pdf", world.contract.uuid, found.uuid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'-{found.period_start.isoformat()}.pdf"')
    text = pdf_text(response.content)
    assert "FV/7/2026/Łódź" in text
    assert f"{found.period_start:%d.%m.%Y} – {found.period_end:%d.%m.%Y}" in text
    with translation.override("pl"):
        assert found.get_status_display() in text
    assert all(p.ref in text for p in people)
    assert "1 234,50" in text
    assert "7 469,00 PLN" in text  # the total, Polish grouping and decimal comma
    assert "Strona 1 z 1" in text


def test_the_settlement_pdf_scope_and_audit(world: World) -> None:
    (p,) = referred(world)
    found = settled(world, [p])
    address = url("settlement_pdf", world.contract.uuid, found.uuid)
    assert http(world.agency_b).get(address).status_code == 404
    assert http(world.office_b).get(address).status_code == 404
    assert http(None).get(address).status_code == 302
    other = url("settlement_pdf", world.contract.uuid, "00000000-0000-0000-0000-000000000000")
    assert http(world.office).get(other).status_code == 404
    assert not AuditRecord.objects.filter(action="contracting.report.exported").exists()
    assert http(world.office).get(address).status_code == 200
    record = AuditRecord.objects.get(action="contracting.report.exported")
    assert record.data == {"report": "settlement", "contract": "ZL/1/2026", "format": "pdf"}
    export = AccessLog.objects.get(participant_ref=p.ref, action="export")
    assert export.purpose == "settlement_report"


def test_the_links_beside_the_csv(world: World) -> None:
    (p,) = referred(world)
    found = settled(world, [p])
    office = http(world.office, "en")
    text = office.get(url("settlement", world.contract.uuid)).content.decode()
    assert url("settlement_pdf", world.contract.uuid, found.uuid) in text
    assert url("report_pdf", world.contract.uuid) in text
    assert "Progress report (PDF)" in text


# --- Fonts ---------------------------------------------------------------------------------------


def test_the_vendored_font_writes_polish_and_vera_does_not() -> None:
    import reportlab
    from reportlab.pdfbase.ttfonts import TTFontFile

    pdf.register_fonts()
    path = next(d / "DejaVuSans.ttf" for d in pdf.font_dirs() if (d / "DejaVuSans.ttf").is_file())
    assert all(ord(ch) in TTFontFile(str(path)).charToGlyph for ch in POLISH.replace(" ", ""))
    vera = TTFontFile(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    assert not all(ord(ch) in vera.charToGlyph for ch in POLISH.replace(" ", ""))  # why DejaVu (ADR 0062)


def test_without_the_font_a_message_and_nothing_exported(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (p,) = referred(world)
    found = settled(world, [p])
    monkeypatch.setattr(pdf, "_registered", False)
    monkeypatch.setattr(pdf, "font_dirs", lambda: [tmp_path])
    office = http(world.office, "en")
    response = office.get(url("report_pdf", world.contract.uuid), follow=True)
    assert response.status_code == 200
    assert "DejaVu Sans font is not installed" in response.content.decode()
    response = office.get(url("settlement_pdf", world.contract.uuid, found.uuid))
    assert response.status_code == 302
    assert response["Location"] == url("settlement", world.contract.uuid)
    assert not AuditRecord.objects.filter(action="contracting.report.exported").exists()
    assert not AccessLog.objects.filter(action="export").exists()

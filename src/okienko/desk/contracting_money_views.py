"""Kontraktor on the desk: tranche lines and settlements, the message threads, and the reports
(progress of a contract, a settlement) as CSV and PDF. Scope and writes as in ``contracting_views``."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.contracting import access, actions, reports, settlement
from okienko.contracting.models import Contract, Participant, Settlement, TrancheLine
from okienko.contracting.states import AGENCY, OFFICE, SettlementStatus, TrancheStatus
from okienko.core import audit
from okienko.core.csvstream import Echo
from okienko.core.errors import InvalidInput, NotFound, report
from okienko.core.ids import parse_uuid
from okienko.core.models import AuditRecord
from okienko.core.pdf import FontMissing
from okienko.desk.contracting_views import attempt, contract_for, parse_date, text
from okienko.desk.registry_views import spreadsheet_safe

TS, ST = TrancheStatus, SettlementStatus
LINES_SHOWN = 500
# What the reports hold of each participant (the reference, never personal data).
REPORT_FIELDS = ["ref", "status", "referral_date", "placements", "tranche_amount"]
SETTLEMENT_FIELDS = ["ref", "tranche", "eligible_on", "status", "amount"]


def settlement_url(contract: Contract) -> str:
    return reverse("desk:contracting_settlement", args=[contract.uuid])


def _lines(user: Any, contract: Contract, side: str) -> Any:
    lines = TrancheLine.objects.filter(participant__contract=contract).select_related("participant", "definition")
    if side == AGENCY:
        # The agency's lines are those of the participants it may know of.
        lines = lines.filter(participant__in=access.agency_known_participants(user, contract))
    return lines.order_by("participant__nominated_at", "participant_id", "definition__order")


@login_required
@require_GET
def settlement_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, side = contract_for(request, contract_uuid)
    status = request.GET.get("status", "")[:20]
    lines = _lines(request.user, contract, side)
    if status in TS.values:
        lines = lines.filter(status=status)
    shown = list(lines[: LINES_SHOWN + 1])
    settlements = contract.settlements.annotate(count=Count("lines")).order_by("-period_start", "-pk")
    totals = settlement.contract_totals(contract)
    return render(
        request,
        "desk/contracting/settlement.html",
        {
            "contract": contract,
            "side": side,
            "office_side": side == OFFICE,
            "lines": shown[:LINES_SHOWN],
            "more": len(shown) > LINES_SHOWN,
            "status": status,
            "statuses": TS.choices,
            "settlements": settlements,
            "totals": [(label, totals.get(value, Decimal("0.00"))) for value, label in TS.choices],
        },
    )


@login_required
@require_POST
def refresh_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, _side = contract_for(request, contract_uuid)
    return attempt(
        request,
        settlement_url(contract),
        lambda: settlement.refresh_tranche_lines(contract=contract, actor=request.user),
        _("The tranche lines are recalculated."),
    )


@login_required
@require_POST
def line_view(request: HttpRequest, contract_uuid: Any, line_id: int) -> HttpResponse:
    contract, _side = contract_for(request, contract_uuid)
    line = (
        TrancheLine.objects.filter(pk=line_id, participant__contract=contract)
        .select_related("participant__contract", "definition")
        .first()
    )
    if line is None:
        raise NotFound
    line.participant.contract = contract
    action = text(request, "action", 20)
    note = text(request, "note")
    user = request.user

    def verified() -> None:
        """The office decides a claim it has not opened for verification yet: verifying first."""
        if line.status == TS.CLAIMED:
            settlement.verify_claim(actor=user, line=line)

    def approve() -> None:
        verified()
        settlement.approve_claim(actor=user, line=line, note=note)

    def reject() -> None:
        if note:  # without one, reject_claim refuses with its own message
            verified()
        settlement.reject_claim(actor=user, line=line, note=note)

    steps: dict[str, tuple[Callable[[], object], str]] = {
        "claim": (lambda: settlement.claim_tranche(actor=user, line=line), _("The tranche is claimed.")),
        "verify": (lambda: settlement.verify_claim(actor=user, line=line), _("The claim is being verified.")),
        "approve": (approve, _("The claim is approved.")),
        "reject": (reject, _("The claim is rejected.")),
        "dispute": (
            lambda: settlement.dispute_claim(actor=user, line=line, note=note),
            _("The rejection is disputed."),
        ),
    }
    if action not in steps:
        return attempt(request, settlement_url(contract), _unknown, "")
    work, done = steps[action]
    return attempt(request, settlement_url(contract), work, done)


def _unknown() -> None:
    raise InvalidInput(field="action", message=_("Unknown action."))


@login_required
@require_POST
def open_settlement_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, _side = contract_for(request, contract_uuid)
    return attempt(
        request,
        settlement_url(contract),
        lambda: settlement.open_settlement(
            actor=request.user,
            contract=contract,
            period_start=parse_date(text(request, "period_start", 10), "period_start"),
            period_end=parse_date(text(request, "period_end", 10), "period_end"),
        ),
        _("The settlement is opened."),
    )


def settlement_for(request: HttpRequest, contract_uuid: Any, settlement_uuid: Any) -> tuple[Contract, str, Settlement]:
    contract, side = contract_for(request, contract_uuid)
    key = parse_uuid(settlement_uuid)
    found = contract.settlements.filter(uuid=key).first() if key else None
    if found is None:
        raise NotFound
    found.contract = contract
    return contract, side, found


@login_required
@require_POST
def settlement_action_view(request: HttpRequest, contract_uuid: Any, settlement_uuid: Any) -> HttpResponse:
    contract, _side, found = settlement_for(request, contract_uuid, settlement_uuid)
    action = text(request, "action", 20)
    user = request.user
    steps: dict[str, tuple[Callable[[], object], str]] = {
        "submit": (
            lambda: settlement.submit_settlement(
                actor=user, settlement=found, invoice_reference=text(request, "invoice_reference", 80)
            ),
            _("The settlement is submitted."),
        ),
        "return": (
            lambda: settlement.return_settlement(actor=user, settlement=found, note=text(request, "note")),
            _("The settlement is returned for corrections."),
        ),
        "accept": (
            lambda: settlement.accept_settlement(actor=user, settlement=found),
            _("The settlement is accepted."),
        ),
        "pay": (lambda: settlement.pay_settlement(actor=user, settlement=found), _("The payment is recorded.")),
    }
    work, done = steps.get(action, (_unknown, ""))
    return attempt(request, settlement_url(contract), work, done)


# --- Messages -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def messages_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, side = contract_for(request, contract_uuid)
    source = request.POST if request.method == "POST" else request.GET
    ref = str(source.get("participant", ""))[:18]
    participant: Participant | None = None
    if ref:
        participant = access.access_participant(request.user, contract, ref)
    here = reverse("desk:contracting_messages", args=[contract.uuid]) + (f"?participant={ref}" if ref else "")
    if request.method == "POST":
        return attempt(
            request,
            here,
            lambda: actions.send_message(
                actor=request.user, contract=contract, body=text(request, "body", 10_001), participant_ref=ref
            ),
            _("The message is sent."),
        )
    thread = contract.messages.select_related("sender", "recipient").order_by("sent_at", "pk")
    if ref:
        thread = thread.filter(participant_ref=ref)
    shown = list(thread[:500])
    actions.mark_read(actor=request.user, contract=contract, messages=shown)
    return render(
        request,
        "desk/contracting/messages.html",
        {"contract": contract, "side": side, "thread": shown, "participant": participant, "ref": ref},
    )


# --- Reports (CSV) --------------------------------------------------------------------------------


def _csv(rows: Iterator[list[Any]], name: str) -> StreamingHttpResponse:
    writer: Any = csv.writer(Echo(), delimiter=";", lineterminator="\r\n")

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([spreadsheet_safe(str(cell)) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _exported(request: HttpRequest, contract: Contract, what: str, obj: Any, file_format: str = "csv") -> None:
    audit.record(
        "contracting.report.exported",
        actor=request.user,
        obj=obj,
        organisation_id=contract.office_id,
        data={"report": what, "contract": contract.number, "format": file_format},
        kind=AuditRecord.Kind.ACCESS,
    )


def _report_participants(request: HttpRequest, contract: Contract, side: str) -> Any:
    if side == OFFICE:
        return access.office_participants(request.user, contract).order_by("nominated_at", "pk")
    return access.agency_known_participants(request.user, contract)


@login_required
@require_GET
def report_csv_view(request: HttpRequest, contract_uuid: Any) -> StreamingHttpResponse:
    """Progress against the indicators and the participants (references and statuses only)."""
    contract, side = contract_for(request, contract_uuid)
    participants = _report_participants(request, contract, side)
    progress = actions.indicator_progress(contract)
    _exported(request, contract, "progress", contract)
    access.record_export(
        request.user,
        contract,
        participant_refs=list(participants.values_list("ref", flat=True)),
        fields=REPORT_FIELDS,
        purpose="progress_report",
    )

    def rows() -> Iterator[list[Any]]:
        yield [_("contract"), contract.number, contract.get_status_display()]
        yield [_("indicator"), _("target"), _("reached")]
        for name, values in progress.items():
            yield [reports.INDICATOR_LABELS[name], values["target"], values["reached"]]
        yield []
        yield [_("participant"), _("status"), _("referred on"), _("placements"), _("tranche amount")]
        for row in reports.participant_rows(contract, participants):
            yield [
                row.ref,
                row.status,
                row.referral_date.isoformat() if row.referral_date else "",
                row.placements,
                row.tranche_amount,
            ]

    return _csv(rows(), f"postep-{contract.number.replace('/', '-')}.csv")


@login_required
@require_GET
def settlement_csv_view(request: HttpRequest, contract_uuid: Any, settlement_uuid: Any) -> StreamingHttpResponse:
    contract, _side, found = settlement_for(request, contract_uuid, settlement_uuid)
    _exported(request, contract, "settlement", found)
    access.record_export(
        request.user,
        contract,
        participant_refs=sorted(set(found.lines.values_list("participant__ref", flat=True))),
        fields=SETTLEMENT_FIELDS,
        purpose="settlement_report",
    )

    def rows() -> Iterator[list[Any]]:
        yield [
            _("contract"),
            contract.number,
            _("period"),
            found.period_start.isoformat(),
            found.period_end.isoformat(),
        ]
        yield [_("status"), found.get_status_display(), _("invoice"), found.invoice_reference]
        yield [_("participant"), _("tranche"), _("eligible from"), _("status"), _("amount"), _("currency")]
        for line in found.lines.select_related("participant", "definition").order_by(
            "participant_id", "definition__order"
        ):
            yield [
                line.participant.ref,
                line.definition.name,
                line.eligible_on.isoformat() if line.eligible_on else "",
                line.get_status_display(),
                line.amount,
                line.currency,
            ]
        yield [_("total"), "", "", "", found.total, found.currency]

    return _csv(rows(), f"rozliczenie-{contract.number.replace('/', '-')}-{found.period_start.isoformat()}.csv")


# --- Reports (PDF) --------------------------------------------------------------------------------


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _no_font(request: HttpRequest, exc: FontMissing, back: str) -> HttpResponse:
    """Without the font no PDF is made (nothing exported, nothing logged): a message, back."""
    report(request, exc)
    return redirect(back)


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    """The progress report as PDF: the indicators and the first ``reports.PDF_ROWS`` participants
    (the CSV lists all); the export is logged for the participants the file holds."""
    contract, side = contract_for(request, contract_uuid)
    participants = _report_participants(request, contract, side)
    total = participants.count()
    rows = list(reports.participant_rows(contract, participants[: reports.PDF_ROWS]))
    try:
        data = reports.progress_pdf(contract, rows, actions.indicator_progress(contract), total=total)
    except FontMissing as exc:
        return _no_font(request, exc, reverse("desk:contracting_contract", args=[contract.uuid]))
    _exported(request, contract, "progress", contract, "pdf")
    access.record_export(
        request.user,
        contract,
        participant_refs=[row.ref for row in rows],
        fields=REPORT_FIELDS,
        purpose="progress_report",
    )
    return _pdf(data, f"postep-{contract.number.replace('/', '-')}.pdf")


@login_required
@require_GET
def settlement_pdf_view(request: HttpRequest, contract_uuid: Any, settlement_uuid: Any) -> HttpResponse:
    """One settlement as PDF: its lines (the first ``reports.PDF_ROWS``) and its total."""
    contract, _side, found = settlement_for(request, contract_uuid, settlement_uuid)
    lines = found.lines.select_related("participant", "definition").order_by("participant_id", "definition__order")
    total = lines.count()
    shown = list(lines[: reports.PDF_ROWS])
    try:
        data = reports.settlement_pdf(found, shown, total_lines=total)
    except FontMissing as exc:
        return _no_font(request, exc, settlement_url(contract))
    _exported(request, contract, "settlement", found, "pdf")
    access.record_export(
        request.user,
        contract,
        participant_refs=sorted({line.participant.ref for line in shown}),
        fields=SETTLEMENT_FIELDS,
        purpose="settlement_report",
    )
    return _pdf(data, f"rozliczenie-{contract.number.replace('/', '-')}-{found.period_start.isoformat()}.pdf")

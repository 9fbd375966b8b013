"""Kontraktor's reports as documents (issue 17, ADR 0062): a contract's progress against its
indicators with its participants, and one settlement with its lines and total, as PDF bytes.

Either side makes them from what it may see (the callers pass the participants and the lines in
scope); a participant is named by its reference only, never by personal data. A PDF lists at most
:data:`PDF_ROWS` rows of a table and says so when there are more: the CSV reports list them all
(a PDF of 50,000 participants would be thousands of pages nobody reads, and built in memory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.contracting.models import Contract, Participant, Settlement, TrancheLine
from okienko.core import pdf
from okienko.core.formatting import amount, day

PDF_ROWS = 5_000

INDICATOR_LABELS = {
    "referred": gettext_lazy("referred"),
    "admitted": gettext_lazy("admitted"),
    "placed": gettext_lazy("placed in work"),
    "retained": gettext_lazy("employment retained"),
}


@dataclass(frozen=True)
class ParticipantRow:
    """One participant in the progress report: the reference and numbers, no personal data."""

    ref: str
    status: str  # the status's label in the active language
    referral_date: dt.date | None
    placements: int
    tranche_amount: Decimal


def participant_rows(contract: Contract, participants: QuerySet[Participant]) -> Iterator[ParticipantRow]:
    """The rows of ``participants`` (already scoped and ordered by the caller; may be sliced)."""
    amounts: dict[int, Decimal] = dict(
        TrancheLine.objects.filter(participant__contract=contract)
        .values("participant_id")
        .annotate(total=Sum("amount"))
        .values_list("participant_id", "total")
    )
    counts: dict[int, int] = dict(
        Participant.objects.filter(contract=contract).annotate(n=Count("placements")).values_list("pk", "n")
    )
    for p in participants.iterator(chunk_size=2000):
        yield ParticipantRow(
            ref=p.ref,
            status=p.get_status_display(),
            referral_date=p.referral_date,
            placements=counts.get(p.pk, 0),
            tranche_amount=amounts.get(p.pk) or Decimal("0.00"),
        )


def _parties(contract: Contract) -> list[tuple[str, str]]:
    return [(_("Office"), contract.office.name), (_("Agency"), contract.agency.name)]


def _page(title: str, contract: Contract, generated_at: dt.datetime | None) -> pdf.Page:
    return pdf.Page(
        title=title,
        institutions=[contract.office.name, contract.agency.name],
        generated_at=generated_at,
    )


def _count(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _cut_note(shown: int, total: int) -> list[pdf.Flowable]:
    if total <= shown:
        return []
    return [
        pdf.note(
            _("The PDF lists the first %(shown)s of %(total)s rows; the CSV report of the same page lists all of them.")
            % {"shown": _count(shown), "total": _count(total)}
        )
    ]


def progress_pdf(
    contract: Contract,
    participants: Sequence[ParticipantRow],
    progress: Mapping[str, Mapping[str, int]],
    *,
    total: int | None = None,
    generated_at: dt.datetime | None = None,
) -> bytes:
    """The progress report: the contract, its indicators (target, reached) and ``participants``
    (the first :data:`PDF_ROWS` of ``total``)."""
    title = _("Contract progress report %(number)s") % {"number": contract.number}
    total = len(participants) if total is None else total
    shown = participants[:PDF_ROWS]
    story: list[pdf.Flowable] = [
        pdf.heading(title),
        pdf.facts(
            [
                (_("Contract"), contract.number),
                *([(_("Title"), contract.title)] if contract.title else []),
                *_parties(contract),
                (_("Status"), contract.get_status_display()),
                (_("Period"), f"{day(contract.start_date)} – {day(contract.end_date)}"),
                (_("Planned participants"), contract.planned_participants),
            ]
        ),
        pdf.heading(_("Indicators"), level=2),
        *pdf.table(
            [_("indicator"), _("target"), _("reached")],
            (
                [INDICATOR_LABELS.get(name, name), values["target"], values["reached"]]
                for name, values in progress.items()
            ),
            widths=[0.5, 0.25, 0.25],
            right=[1, 2],
        ),
        pdf.heading(_("Participants (%(count)s)") % {"count": _count(total)}, level=2),
        *_cut_note(len(shown), total),
        *pdf.table(
            [_("participant"), _("status"), _("referred on"), _("placements"), _("tranche amount")],
            (
                [
                    row.ref,
                    row.status,
                    day(row.referral_date),
                    row.placements,
                    amount(row.tranche_amount, contract.currency),
                ]
                for row in shown
            ),
            widths=[0.24, 0.26, 0.16, 0.12, 0.22],
            right=[3, 4],
        ),
    ]
    return pdf.render(_page(title, contract, generated_at), story, subject=_("Contract progress report"))


def settlement_pdf(
    settlement: Settlement,
    lines: Sequence[TrancheLine],
    *,
    total_lines: int | None = None,
    generated_at: dt.datetime | None = None,
) -> bytes:
    """The settlement: its contract, period, status, invoice reference, ``lines`` (the first
    :data:`PDF_ROWS` of ``total_lines``, with their participant and definition loaded) and its
    total (of all its lines, also those not listed)."""
    contract = settlement.contract
    title = _("Settlement %(number)s, %(start)s – %(end)s") % {
        "number": contract.number,
        "start": day(settlement.period_start),
        "end": day(settlement.period_end),
    }
    total_lines = len(lines) if total_lines is None else total_lines
    shown = lines[:PDF_ROWS]
    story: list[pdf.Flowable] = [
        pdf.heading(title),
        pdf.facts(
            [
                (_("Contract"), contract.number),
                *_parties(contract),
                (_("Period"), f"{day(settlement.period_start)} – {day(settlement.period_end)}"),
                (_("Kind"), settlement.get_kind_display()),
                (_("Status"), settlement.get_status_display()),
                (_("Invoice"), settlement.invoice_reference or "—"),
                (_("Total"), amount(settlement.total, settlement.currency)),
            ]
        ),
        pdf.heading(_("Lines (%(count)s)") % {"count": _count(total_lines)}, level=2),
        *_cut_note(len(shown), total_lines),
        *pdf.table(
            [_("participant"), _("tranche"), _("eligible from"), _("status"), _("amount"), _("currency")],
            (
                [
                    line.participant.ref,
                    line.definition.name,
                    day(line.eligible_on),
                    line.get_status_display(),
                    amount(line.amount),
                    line.currency,
                ]
                for line in shown
            ),
            widths=[0.2, 0.22, 0.14, 0.18, 0.16, 0.1],
            right=[4],
            footer=[_("total"), "", "", "", amount(settlement.total), settlement.currency],
        ),
    ]
    return pdf.render(_page(title, contract, generated_at), story, subject=_("Settlement"))

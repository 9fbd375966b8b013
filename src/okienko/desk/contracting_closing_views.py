"""Kontraktor on the desk: the end of a contract — data closing and the deletion/archival
certificates (issue 18, item 5). The section sits on the contract's page; the contract's managers
of each side run their side's closing (after confirming it) and download both certificates as the
signed JSON statement and the signed PDF."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.contracting.exchange import certificates, sync
from okienko.contracting.exchange.models import ContractCertificate, DataClosure, Direction
from okienko.contracting.models import Contract
from okienko.contracting.states import OFFICE
from okienko.core import audit, uploads
from okienko.core.errors import InvalidInput
from okienko.desk.contracting_views import attempt, contract_for, contract_url

FORMATS = {"json": "application/json", "pdf": "application/pdf"}


def closing_context(contract: Contract, side: str) -> dict[str, Any]:
    """What the contract page's "Data closing and certificates" section shows."""
    own = contract.office if side == OFFICE else contract.agency
    field = certificates.FIELD[side]
    rows = []
    for certificate in (
        ContractCertificate.objects.filter(contract=contract).select_related("issuer").order_by("issued_at", "pk")
    ):
        rows.append(
            {
                "certificate": certificate,
                "ours": certificate.issuer_id == own.pk,
                "received": certificate.direction == Direction.IN,
                "records": certificate.statement.get("records"),
                "retention": certificate.statement.get("archive_retention_until"),
            }
        )
    closure = DataClosure.objects.filter(contract=contract, organisation=own).first()
    return {
        "certificates": rows,
        "closure": closure,
        "may_close": contract.status in certificates.CLOSABLE
        and getattr(contract, field) is None
        and not hasattr(own, "exchange_partner"),
        "shows": contract.status in certificates.CLOSABLE or contract.status in certificates.ENDED or bool(rows),
        "partners": [p for p in sync.partners_of(contract).values() if p.status == p.Status.TRUSTED],
        "may_resync": side == OFFICE and not hasattr(own, "exchange_partner"),
    }


@login_required
@require_POST
def closing_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    """Run this side's data closing (confirmed) and issue its certificate."""
    contract, _side = contract_for(request, contract_uuid)

    def work() -> object:
        if request.POST.get("confirm") != "yes":
            raise InvalidInput(
                field="confirm", message=_("Confirm that the other side's data may be removed from this system.")
            )
        return certificates.close_data(actor=request.user, contract=contract)

    return attempt(
        request,
        contract_url(contract) + "#closing-title",
        work,
        _("The data is closed and the certificate is issued."),
    )


@login_required
@require_POST
def resync_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    """The office sends a contract that began before the two installations were paired — its
    terms, participants, requests and shared packages — to the partner's installation."""
    contract, side = contract_for(request, contract_uuid)

    def work() -> object:
        if side != OFFICE:
            raise InvalidInput(field="contract", message=_("Only the office sends the contract to the agency."))
        if not sync.partners_of(contract):
            raise InvalidInput(field="contract", message=_("The other side works in this installation."))
        return sync.resync_contract(contract, actor=request.user)

    return attempt(
        request,
        contract_url(contract) + "#exchange-title",
        work,
        _("The contract is queued for the partner's installation."),
    )


@login_required
@require_GET
def certificate_view(
    request: HttpRequest, contract_uuid: Any, certificate_uuid: Any, fmt: str
) -> HttpResponse | FileResponse:
    """One certificate of the contract as the signed statement (JSON with its JWS) or the PDF."""
    contract, _side = contract_for(request, contract_uuid)
    if fmt not in FORMATS:
        raise Http404
    certificate = ContractCertificate.objects.filter(contract=contract, uuid=certificate_uuid).first()
    if certificate is None:
        raise Http404
    audit.record(
        "contracting.certificate.downloaded",
        actor=request.user,
        obj=certificate,
        organisation_id=contract.office_id,
        data={"contract": contract.number, "format": fmt, "issuer": certificate.issuer_id},
    )
    name = f"poswiadczenie-{contract.number.replace('/', '-')}-{certificate.issuer_id}.{fmt}"
    if fmt == "pdf":
        return uploads.download(certificate.file.open("rb"), content_type=FORMATS[fmt], filename=name)
    document = {
        "statement": certificate.statement,
        "statement_jws": certificate.statement_jws,
        "verified_at": certificate.verified_at.isoformat() if certificate.verified_at else None,
    }
    data = json.dumps(document, ensure_ascii=False, indent=1).encode()
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

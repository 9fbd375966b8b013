"""E-form submissions received by the staff member's offices: the rejected and quarantined ones
with their reasons first, every receipt and raw document downloadable (ADR 0056)."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.accounts import access as accounts_access
from okienko.accounts.roles import Perm
from okienko.channels.eforms import access, intake
from okienko.channels.eforms.models import EFormSubmission
from okienko.core import uploads

S = EFormSubmission.Status
FILTERS = {
    "problems": Q(status__in=[S.REJECTED, S.QUARANTINED]),
    "accepted": Q(status=S.ACCEPTED),
    "all": Q(),
}
PAGE = 100


def _require(request: HttpRequest) -> None:
    if not accounts_access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)


@login_required
def eform_list_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    shown = request.GET.get("show", "problems")
    shown = shown if shown in FILTERS else "problems"
    visible = EFormSubmission.objects.visible_to(request.user)
    rows = list(
        visible.filter(FILTERS[shown])
        .select_related("form", "organisation", "case")
        .order_by("-received_at", "-id")[: PAGE + 1]
    )
    counts = {"problems": visible.filter(FILTERS["problems"]).count()}
    return render(
        request,
        "desk/eforms/list.html",
        {"submissions": rows[:PAGE], "more": len(rows) > PAGE, "shown": shown, "counts": counts},
    )


def _xml(data: bytes, filename: str) -> FileResponse:
    return uploads.download(BytesIO(data), content_type="application/xml", filename=filename)


@login_required
def eform_receipt_view(request: HttpRequest, pk: int) -> FileResponse:
    submission = access.access_submission(request.user, pk, purpose="e-form receipt")
    return _xml(submission.receipt.encode("utf-8"), f"upo-{submission.uuid}.xml")


@login_required
def eform_raw_view(request: HttpRequest, pk: int) -> FileResponse:
    submission = access.access_submission(request.user, pk, purpose="e-form document")
    with submission.file.open("rb") as handle:
        data = handle.read()
    return _xml(data, f"submission-{submission.uuid}.xml")


@login_required
@require_POST
def eform_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Process a quarantined submission again (its form or service was put right meanwhile)."""
    submission = access.access_submission(request.user, pk, purpose="e-form processed again")
    if submission.status != S.QUARANTINED:
        messages.info(request, _("Only quarantined submissions are processed again."))
    else:
        submission = intake.reprocess(submission, actor=request.user)
        if submission.status == S.ACCEPTED:
            messages.success(request, _("The submission was accepted."))
        else:
            messages.warning(
                request, _("The submission was not accepted: %(reasons)s") % {"reasons": submission.reason_text}
            )
    return redirect(reverse("desk:eforms") + "?show=" + ("accepted" if submission.status == S.ACCEPTED else "problems"))

"""The moderator's decision on a case's public description (``cases.publication``, ADR 0042)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.cases import access, publication
from okienko.core.errors import DomainError, report


@login_required
@require_POST
def publication_view(request: HttpRequest, case_uuid: UUID) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    withdraw = request.POST.get("action") == "withdraw"
    try:
        publication.moderate_description(
            actor=request.user, case=case, text=None if withdraw else request.POST.get("text", "")
        )
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(
            request, _("The description was withdrawn.") if withdraw else _("The description was published.")
        )
    return redirect("cases:detail", case_uuid=case.uuid)

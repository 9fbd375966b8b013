"""Organisation directory for staff: contact data, territory, office hours and sub-units."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from okienko.accounts.models import Organisation


@login_required
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.active().select_related("parent")
    return render(request, "desk/organisation_list.html", {"organisations": organisations})


@login_required
def organisation_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.prefetch_related("territory", "locations", "office_hours", "children").select_related(
            "parent"
        ),
        code=code,
    )
    return render(request, "desk/organisation_detail.html", {"organisation": organisation})

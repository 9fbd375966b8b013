from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okienko.accounts.models import Organisation


def home_view(request: HttpRequest) -> HttpResponse:
    offices = Organisation.objects.active().filter(
        kind__in=[Organisation.Kind.REGION_OFFICE, Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.CITY]
    )
    return render(request, "portal/home.html", {"offices": offices})

"""The desk maps' address search and reverse geocoding (JSON), centred on the user's office."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from okienko.accounts.models import Organisation
from okienko.core import geocoding, reference


def territory_of(organisation: Organisation | None) -> list[str]:
    """TERYT codes of the territory an office serves: its own, else its nearest ancestor's."""
    org = organisation
    while org is not None:
        codes = sorted(org.territory.values_list("code", flat=True))
        if codes:
            return codes
        org = org.parent
    return []


def map_settings(organisation: Organisation | None) -> dict[str, str]:
    """The ``data-*`` of a map that belongs to ``organisation``'s form (ADR 0051)."""
    return geocoding.map_settings(territory_of(organisation))


@login_required
@require_GET
def geocode_view(request: HttpRequest) -> JsonResponse:
    """``?q=`` finds places (those of the user's office first); ``?lat=&lon=`` names a point."""
    organisation = getattr(request, "organisation", None)
    return geocoding.answer(request.GET, bbox=reference.bbox_of(territory_of(organisation)))

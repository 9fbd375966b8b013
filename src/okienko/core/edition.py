"""Editions of the product (issue 18, item 7; docs/contracting/agency-edition.md).

``OKIENKO_EDITION`` is ``full`` (the default: everything) or ``agency``: an employment agency runs
the same product with only Kontraktor's desk and the exchange with its labour offices. Then the
desk's navigation shows only those, every other desk page and API module answers 404, and the
public portal (the city's and the labour office's pages for residents) sends visitors to the
desk's sign-in. ``OKIENKO_PROFILE`` (embedded, dev, test, production) is a different axis: how the
installation runs, not what it offers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect

from okienko.core.problems import title as problem_title

FULL = "full"
AGENCY = "agency"
EDITIONS = (FULL, AGENCY)

# What the agency edition serves: Kontraktor's desk and exchange, signing in, configuration,
# the exchange endpoint between installations, the contracting API, health and static files.
AGENCY_PATHS = (
    "/desk/contracts/",
    "/desk/exchange/",
    "/accounts/",
    "/admin/",
    "/exchange/",
    "/api/v1/contracting/",
    "/api/v1/schema",
    "/api/v1/docs",
    "/api/v1/auth/",
    "/api/v1/tokens/",
    "/health",
    "/static/",
    "/i18n/",
    "/favicon.ico",
)
# The desk's start page stays (it lists the panels the user may use).
AGENCY_EXACT = ("/desk/",)


def edition() -> str:
    return str(getattr(settings, "OKIENKO_EDITION", FULL) or FULL)


def is_agency() -> bool:
    return edition() == AGENCY


def allowed(path: str) -> bool:
    """Whether the current edition serves ``path``."""
    if not is_agency():
        return True
    return path in AGENCY_EXACT or path.startswith(AGENCY_PATHS)


class EditionMiddleware:
    """In the agency edition: 404 for the desk pages and APIs of other modules; the public
    portal's pages redirect to the desk."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if allowed(path):
            return self.get_response(request)
        if path.startswith(("/desk/", "/api/", "/open311/", "/channels/", "/telefon/")):
            return HttpResponseNotFound(problem_title(404), content_type="text/plain; charset=utf-8")
        return HttpResponseRedirect("/desk/")

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from okienko.accounts import access

SESSION_KEY = "okienko_active_organisation"


class ActiveOrganisationMiddleware:
    """Attach ``request.organisation``: the organisation the user is working for right now."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]  # the attribute this middleware adds to every request
        if request.user.is_authenticated:
            choices = access.switchable_organisations(request.user)
            wanted = request.session.get(SESSION_KEY)
            chosen = next((o for o in choices if o.pk == wanted), choices[0] if choices else None)
            request.organisation = chosen  # type: ignore[attr-defined]  # the attribute this middleware adds to every request
        return self.get_response(request)

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from okienko.accounts import access as accounts_access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm


def require_reader(request: HttpRequest) -> None:
    if not accounts_access.has_perm_anywhere(request.user, Perm.KNOWLEDGE_READ_INTERNAL):
        raise PermissionDenied(Perm.KNOWLEDGE_READ_INTERNAL)


def require_editor(request: HttpRequest) -> None:
    if not accounts_access.has_perm_anywhere(request.user, Perm.KNOWLEDGE_EDIT):
        raise PermissionDenied(Perm.KNOWLEDGE_EDIT)


def working_organisation(request: HttpRequest, perm: str) -> Organisation | None:
    """The active organisation when the user holds ``perm`` there, else the first one where they do."""
    active: Organisation | None = getattr(request, "organisation", None)
    if active is not None and accounts_access.has_perm_in(request.user, perm, active):
        return active
    return accounts_access.organisations_with(request.user, perm).order_by("path").first()


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"

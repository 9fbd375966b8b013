"""Scopes of API tokens and the organisation a token acts for.

A request authenticated by a token may do what (1) the token's scopes allow, (2) its service
user's roles allow (``accounts.access``), and (3) only in the token's organisation subtree.
A staff member signed in to the desk (session) is limited by roles only.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext, gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet
from okienko.api.models import ApiToken

M = TypeVar("M", bound=Model)
SAFE = ("GET", "HEAD", "OPTIONS")


def token_of(request: Request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenScopes(permissions.BasePermission):
    """Views name ``read_scope`` and ``write_scope``; a token must hold the one for the method."""

    message: Any = gettext_lazy("The API token does not have the scope needed for this request.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        if token is None:
            return bool(request.user and request.user.is_authenticated)
        scope = getattr(view, "read_scope" if request.method in SAFE else "write_scope", None)
        if scope is None:
            return False
        self.message = gettext("The API token needs the scope %(scope)s.") % {"scope": scope}
        return token.has_scope(scope)


def limit_to_token(request: Request, queryset: QuerySet[M], organisation_field: str = "organisation") -> QuerySet[M]:
    """Keep only rows of the token's organisation subtree (no-op for session users)."""
    token = token_of(request)
    if token is None:
        return queryset
    return queryset.filter(**{f"{organisation_field}__path__startswith": token.organisation.path})


def organisations_for(request: Request, perm: str) -> OrganisationQuerySet:
    """Organisations where the caller holds ``perm``, limited to the token's subtree."""
    orgs = access.organisations_with(request.user, perm)
    token = token_of(request)
    if token is not None:
        orgs = orgs.filter(path__startswith=token.organisation.path)
    return orgs


def may_in(request: Request, perm: str, organisation: Organisation) -> bool:
    token = token_of(request)
    if token is not None and not organisation.is_within(token.organisation):
        return False
    return access.has_perm_in(request.user, perm, organisation)

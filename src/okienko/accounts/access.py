"""Who may do what where. Every check names a permission *and* an organisation scope.

A membership grants its role's permissions in its organisation and (unless narrowed) in every
sub-organisation. A ``ScopeGrant`` extends a permission of one organisation's staff into another
organisation, e.g. county offices taking each other's overflow calls.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from okienko.accounts.models import Membership, Organisation, OrganisationQuerySet, ScopeGrant, User
from okienko.accounts.roles import permissions_of
from okienko.core.actors import Actor, signed_in, superuser

_CACHE_ATTR = "_okienko_memberships"


def memberships(user: Actor) -> list[Membership]:
    """The user's role assignments, loaded once per request."""
    if not signed_in(user):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user_id=user.pk).select_related("organisation"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def roles_of(user: Actor, organisation: Organisation | None = None) -> set[str]:
    return {
        m.role
        for m in memberships(user)
        if organisation is None
        or (organisation.is_within(m.organisation) and (m.include_descendants or m.organisation_id == organisation.pk))
    }


def _scope_q(granting: list[Membership]) -> Q | None:
    parts = [
        Q(path__startswith=m.organisation.path) if m.include_descendants else Q(pk=m.organisation_id) for m in granting
    ]
    return reduce(or_, parts) if parts else None


def organisations_with(user: Actor, perm: str) -> OrganisationQuerySet:
    """Every organisation where ``user`` holds ``perm`` (directly, by subtree or by a grant)."""
    if superuser(user):
        return Organisation.objects.all()
    granting = [m for m in memberships(user) if perm in permissions_of(m.role)]
    scope = _scope_q(granting)
    if scope is None:
        return Organisation.objects.none()
    own = Organisation.objects.filter(scope)
    grants = ScopeGrant.objects.filter(grantee__in=own, permission=perm).select_related("target")
    extra = [Q(path__startswith=g.target.path) for g in grants]
    if extra:
        return Organisation.objects.filter(reduce(or_, [scope, *extra]))
    return own


def has_perm_in(user: Actor, perm: str, organisation: Organisation) -> bool:
    """May ``user`` use ``perm`` on things belonging to ``organisation``?"""
    if not signed_in(user):
        return False
    if superuser(user):
        return True
    for m in memberships(user):
        if perm not in permissions_of(m.role):
            continue
        if m.organisation_id == organisation.pk:
            return True
        if m.include_descendants and organisation.is_within(m.organisation):
            return True
    return organisations_with(user, perm).filter(pk=organisation.pk).exists()


def has_perm_anywhere(user: Actor, perm: str) -> bool:
    if superuser(user):
        return True
    return any(perm in permissions_of(m.role) for m in memberships(user))


def require_perm_in(user: Actor, perm: str, organisation: Organisation) -> None:
    if not has_perm_in(user, perm, organisation):
        raise PermissionDenied(perm)


def switchable_organisations(user: Actor) -> list[Organisation]:
    """Organisations the user can pick as the active one (where they hold a role)."""
    seen: dict[int, Organisation] = {}
    for m in memberships(user):
        seen.setdefault(m.organisation_id, m.organisation)
    return sorted(seen.values(), key=lambda o: o.path)


def user_of(actor: Actor) -> User | None:
    """The member of staff behind ``actor``, for the foreign keys that record who did something
    (None for the system, the portal or an anonymous visitor)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def people(users: QuerySet[User]) -> QuerySet[User]:
    """``users`` without the service users that exist only for systems' API tokens (no password
    of their own): they are offered nowhere a person is chosen (callbacks, assignments)."""
    return users.exclude(api_tokens__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)

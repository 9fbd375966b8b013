"""Who may read and edit knowledge articles.

Knowledge flows down the organisation tree: an internal article of the WUP is read by the staff
of every county office below it, and an article of a county office by its own staff (and by
staff above it, who hold the permission over the whole subtree).
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from okienko.accounts import access
from okienko.accounts.roles import Perm, permissions_of
from okienko.core.actors import Actor, signed_in, superuser
from okienko.core.tree import path_prefixes

if TYPE_CHECKING:
    from okienko.knowledge.models import Article


def _scope_q(user: Actor, perm: str, roles: set[str] | None = None) -> Q | None:
    """Articles whose organisation is inside or above an organisation where ``user`` holds
    ``perm`` (through a role from ``roles`` when given)."""
    parts: list[Q] = []
    for m in access.memberships(user):
        if perm not in permissions_of(m.role) or (roles is not None and m.role not in roles):
            continue
        path = m.organisation.path
        parts.append(Q(organisation__path__in=path_prefixes(path)))
        if m.include_descendants:
            parts.append(Q(organisation__path__startswith=path))
    return reduce(or_, parts) if parts else None


def readable_q(user: Actor) -> Q:
    from okienko.knowledge.models import Article

    public = Q(audience=Article.Audience.PUBLIC)
    if not signed_in(user):
        return public
    if superuser(user):
        return Q()
    internal_scope = _scope_q(user, Perm.KNOWLEDGE_READ_INTERNAL)
    if internal_scope is None:
        return public
    result = public | (Q(audience=Article.Audience.INTERNAL) & internal_scope)
    for m in access.memberships(user):
        role_scope = _scope_q(user, Perm.KNOWLEDGE_READ_INTERNAL, {m.role})
        if role_scope is not None:
            result |= Q(audience=Article.Audience.RESTRICTED, allowed_roles__contains=f",{m.role},") & role_scope
    return result


def editable_q(user: Actor) -> Q:
    if superuser(user):
        return Q()
    orgs = access.organisations_with(user, Perm.KNOWLEDGE_EDIT)
    return Q(organisation__in=orgs)


def may_edit(user: Actor, article: Article) -> bool:
    return access.has_perm_in(user, Perm.KNOWLEDGE_EDIT, article.organisation)


def may_edit_anywhere(user: Actor) -> bool:
    return access.has_perm_anywhere(user, Perm.KNOWLEDGE_EDIT)


def may_read_internal(user: Actor) -> bool:
    return access.has_perm_anywhere(user, Perm.KNOWLEDGE_READ_INTERNAL)


def editable_scope(user: Actor) -> Any:
    """Organisations where ``user`` edits knowledge."""
    return access.organisations_with(user, Perm.KNOWLEDGE_EDIT)

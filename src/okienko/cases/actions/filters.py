"""Saved queue filters: private to their owner or shared with the owner's team (a unit)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access as accounts_access
from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases.intake import CaseInputError
from okienko.cases.models import SavedFilter
from okienko.core import audit
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden


def save_filter(
    *, actor: Actor, name: str, query: str, scope: str = "mine", shared_with: Organisation | None = None
) -> SavedFilter:
    """Save the queue's filter under ``name`` (audited); ``shared_with`` a unit the owner works in."""
    name = " ".join(name.split())[:100]
    if not name:
        raise CaseInputError({"name": _("Name the filter.")})
    if not accounts_access.has_perm_anywhere(actor, Perm.CASES_WORK):
        raise Forbidden(_("You may not keep queue filters."))
    if shared_with is not None and not accounts_access.has_perm_in(actor, Perm.CASES_WORK, shared_with):
        raise Forbidden(_("You may share filters only with a team you work in."))
    owner = user_of(actor)
    if owner is None:
        raise Forbidden(_("You may not keep queue filters."))
    scope = "team" if scope == "team" else "mine"
    with transaction.atomic():
        saved = SavedFilter.objects.create(
            owner=owner, name=name, query=f"{scope}?{query[:480]}", shared_with=shared_with
        )
        audit.record(
            "case.filter_saved",
            actor=actor,
            obj=saved,
            organisation_id=shared_with.pk if shared_with else None,
            data={"name": name, "query": saved.query, "shared_with": shared_with.code if shared_with else None},
        )
    return saved

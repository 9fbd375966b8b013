"""Who may see and import a labour office's registry: the office's contract managers
(``Perm.CONTRACTING_OFFICE`` in that office). Reading a person is logged."""

from __future__ import annotations

from django.db.models import QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet
from okienko.accounts.roles import Perm
from okienko.contracting.registry.models import ImportBatch, RegisteredPerson
from okienko.core import audit
from okienko.core.actors import Actor

PERM = Perm.CONTRACTING_OFFICE


def may_use(user: Actor) -> bool:
    return access.has_perm_anywhere(user, PERM)


def offices(user: Actor) -> OrganisationQuerySet:
    """The offices whose registry ``user`` may read and import into."""
    return access.organisations_with(user, PERM)


def may_import(user: Actor, office: Organisation) -> bool:
    return access.has_perm_in(user, PERM, office)


def people(user: Actor) -> QuerySet[RegisteredPerson]:
    return RegisteredPerson.objects.filter(office__in=offices(user))


def batches(user: Actor) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(office__in=offices(user))


def person(user: Actor, pk: int, *, purpose: str = "registry") -> RegisteredPerson | None:
    """The person if ``user`` may read them (the read is logged), else None (a refusal is logged
    as a security event when the person exists)."""
    found = RegisteredPerson.objects.select_related("office", "updated_from_batch").filter(pk=pk).first()
    if found is None:
        return None
    if not access.has_perm_in(user, PERM, found.office):
        audit.record_denied(user, found, organisation_id=found.office_id, purpose=purpose)
        return None
    audit.record_access(user, found, organisation_id=found.office_id, purpose=purpose)
    return found

"""Who may moderate and register offers and verify employers: staff holding
``Perm.JOBS_MODERATE`` in a county labour office (the offers and employers of that office)."""

from __future__ import annotations

from django.db.models import QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet
from okienko.accounts.roles import Perm
from okienko.core.actors import Actor
from okienko.jobs.models import Employer, JobOffer

PERM = Perm.JOBS_MODERATE
OFFICE_KINDS = (Organisation.Kind.COUNTY_OFFICE,)


def may_moderate(user: Actor) -> bool:
    return access.has_perm_anywhere(user, PERM) and offices(user).exists()


def offices(user: Actor) -> OrganisationQuerySet:
    return access.organisations_with(user, PERM).filter(kind__in=OFFICE_KINDS)


def offers(user: Actor) -> QuerySet[JobOffer]:
    return JobOffer.objects.filter(office__in=offices(user))


def employers(user: Actor) -> QuerySet[Employer]:
    return Employer.objects.filter(office__in=offices(user))


def offer(user: Actor, uuid: str) -> JobOffer | None:
    return offers(user).select_related("employer", "office").filter(uuid=uuid).first()

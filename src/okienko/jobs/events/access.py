"""Who manages which trainings and events: staff holding ``Perm.JOBS_EVENTS``. A regional office's
staff manage its region-wide items; a county office's staff only their own office's items (a WUP
role reaching the county offices below it does not make their items the WUP's)."""

from __future__ import annotations

from django.db.models import QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core.actors import Actor
from okienko.jobs.events.models import Event, Registration, Training

PERM = Perm.JOBS_EVENTS
OFFICE_KINDS = (Organisation.Kind.REGION_OFFICE, Organisation.Kind.COUNTY_OFFICE)


def offices(user: Actor) -> list[Organisation]:
    """The offices whose items ``user`` manages (regional offices first)."""
    found = list(access.organisations_with(user, PERM).filter(kind__in=OFFICE_KINDS).order_by("kind", "name")[:200])
    regions = [o for o in found if o.kind == Organisation.Kind.REGION_OFFICE]
    direct = {m.organisation_id for m in access.memberships(user)}
    return [
        o
        for o in found
        if o.kind == Organisation.Kind.REGION_OFFICE
        or o.pk in direct
        or not any(o.is_within(r) and o.pk != r.pk for r in regions)
    ]


def may_manage(user: Actor) -> bool:
    return access.has_perm_anywhere(user, PERM) and bool(offices(user))


def trainings(user: Actor) -> QuerySet[Training]:
    return Training.objects.filter(office__in=[o.pk for o in offices(user)]).select_related("office")


def events(user: Actor) -> QuerySet[Event]:
    return Event.objects.filter(office__in=[o.pk for o in offices(user)]).select_related("office")


def may_manage_item(user: Actor, item: Training | Event) -> bool:
    return item.office_id in {o.pk for o in offices(user)}


def registrations(item: Training | Event) -> QuerySet[Registration]:
    field = "training" if isinstance(item, Training) else "event"
    return Registration.objects.filter(**{field: item}).select_related("account").order_by("created_at", "pk")

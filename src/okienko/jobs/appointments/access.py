"""Who sees and books appointments on the desk: staff who may see clients' personal data
(``Perm.CLIENTS_VIEW``) see the appointments of their organisations (and the units below);
booking, cancelling and marking need ``Perm.CLIENTS_EDIT`` in the appointment's office.

The schedules themselves (hours, days off, visit types) are the office's organisation of work:
they are read by whoever sees the office's appointments and changed by its supervisors
(``Perm.QUEUES_SUPERVISE``, who run the desks and their staffing) and administrators
(``Perm.CONFIGURE``), in their own organisations and the units below."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet
from okienko.accounts.roles import Perm
from okienko.clients.models import Client
from okienko.core.actors import Actor
from okienko.jobs.appointments.models import Appointment, Schedule

VIEW = Perm.CLIENTS_VIEW
EDIT = Perm.CLIENTS_EDIT
MANAGE = (Perm.QUEUES_SUPERVISE, Perm.CONFIGURE)


def offices(user: Actor, perm: str = VIEW) -> OrganisationQuerySet:
    return access.organisations_with(user, perm)


def appointments(user: Actor) -> QuerySet[Appointment]:
    return Appointment.objects.filter(office__in=offices(user)).select_related("client", "visit_type", "office")


def appointment(user: Actor, uuid: UUID | str) -> Appointment | None:
    return appointments(user).filter(uuid=uuid).first()


def schedules(user: Actor, perm: str = VIEW) -> QuerySet[Schedule]:
    return Schedule.objects.filter(office__in=offices(user, perm), active=True).select_related("office")


def may_view(user: Actor, office: Organisation) -> bool:
    return access.has_perm_in(user, VIEW, office)


def may_edit(user: Actor, office: Organisation) -> bool:
    return access.has_perm_in(user, EDIT, office)


def may_book_for(user: Actor, client: Client) -> bool:
    return access.has_perm_in(user, EDIT, client.home_office)


def managed_offices(user: Actor) -> OrganisationQuerySet:
    """The organisations whose schedules ``user`` may create and change."""
    return Organisation.objects.filter(
        Q(pk__in=offices(user, MANAGE[0]).values("pk")) | Q(pk__in=offices(user, MANAGE[1]).values("pk"))
    )


def schedule_offices(user: Actor) -> OrganisationQuerySet:
    """The organisations whose schedules ``user`` may read (see their appointments or manage them)."""
    readers = offices(user).values("pk")
    return Organisation.objects.filter(Q(pk__in=readers) | Q(pk__in=managed_offices(user).values("pk")))


def all_schedules(user: Actor) -> QuerySet[Schedule]:
    """Every schedule ``user`` may read, in use or not."""
    return Schedule.objects.filter(office__in=schedule_offices(user)).select_related("office", "location")


def may_manage(user: Actor, office: Organisation) -> bool:
    return any(access.has_perm_in(user, perm, office) for perm in MANAGE)

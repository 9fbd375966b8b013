"""Who sees and books appointments on the desk: staff who may see clients' personal data
(``Perm.CLIENTS_VIEW``) see the appointments of their organisations (and the units below);
booking, cancelling and marking need ``Perm.CLIENTS_EDIT`` in the appointment's office."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet
from okienko.accounts.roles import Perm
from okienko.clients.models import Client
from okienko.core.actors import Actor
from okienko.jobs.appointments.models import Appointment, Schedule

VIEW = Perm.CLIENTS_VIEW
EDIT = Perm.CLIENTS_EDIT


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

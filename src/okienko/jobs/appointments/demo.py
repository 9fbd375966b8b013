"""Demo appointment schedules (issue 19, item 6): every demo county office receives clients by
appointment Monday to Friday 8:00–15:00 (PUP Białystok at five desks, the others at three), with
four kinds of visit; and two booked visits for the first demo job seeker with a PIN (``1234``) —
one booked by a consultant of the client's office on the client card, one on the portal. Idempotent: an
office that has a schedule keeps it; the visits are booked only when the client has none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from okienko.accounts.demo import COUNTY_OFFICES
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients.models import Client
from okienko.core import clock
from okienko.core.actors import PORTAL, SystemActor
from okienko.core.clock import WARSAW
from okienko.core.errors import DomainError
from okienko.jobs.appointments import actions, slots
from okienko.jobs.appointments.models import Appointment, Schedule, VisitType, WeeklyHours
from okienko.jobs.seekers import actions as seeker_actions

VERSION = 1
DEMO = SystemActor("demo")
VISIT_TYPES = [
    ("Wizyta u doradcy klienta", 30, True, "Sprawy bieżące: potwierdzenie gotowości do pracy, zaświadczenia, oferty."),
    ("Doradztwo zawodowe", 60, True, "Rozmowa z doradcą zawodowym: wybór zawodu, szkolenia, plan działań."),
    ("Rejestracja", 30, True, "Rejestracja jako osoba bezrobotna lub poszukująca pracy; zabierz dowód osobisty."),
    ("Podpisanie umowy (staż, bon, dotacja)", 30, False, "Umawia urząd, gdy wniosek jest rozpatrzony."),
]


def schedule_for(office: Organisation, desks: int) -> Schedule:
    schedule, created = Schedule.objects.get_or_create(office=office, defaults={"slot_minutes": 15})
    if not created:
        return schedule
    for weekday in range(5):
        WeeklyHours.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(8, 0), closes=dt.time(15, 0), desks=desks
        )
    for order, (name, minutes, portal, description) in enumerate(VISIT_TYPES):
        VisitType.objects.create(
            schedule=schedule, name=name, minutes=minutes, portal=portal, description=description, order=order
        )
    return schedule


def demo_seeker() -> Client | None:
    """The first demo job seeker who can sign in to the portal with the PIN ``1234``."""
    people: QuerySet[Client] = Client.objects.filter(kind=Client.Kind.PERSON).exclude(pin_hash="")
    return (
        people.filter(home_office__kind=Organisation.Kind.COUNTY_OFFICE).order_by("number").first()
        or people.order_by("number").first()
    )


def _next_free(schedule: Schedule, visit_type: VisitType, day: dt.date, hour: int) -> dt.datetime | None:
    for offset in range(0, 30):
        free = slots.free_slots(schedule, visit_type, day + dt.timedelta(days=offset))
        later = [s for s in free if s.starts_at.astimezone(WARSAW).hour >= hour]
        if later:
            return later[0].starts_at
    return None


def load(stdout: Any = None) -> None:
    made = 0
    for code, *_rest in COUNTY_OFFICES:
        office = Organisation.objects.filter(code=code).first()
        if office is None:
            continue
        if not Schedule.objects.filter(office=office).exists():
            made += 1
        schedule_for(office, desks=5 if code == "pup-bialystok" else 3)
    booked = 0
    client = demo_seeker()
    schedule = Schedule.objects.filter(office=client.home_office).first() if client else None
    if client is not None and schedule is not None and not Appointment.objects.filter(client=client).exists():
        today = clock.now().astimezone(WARSAW).date()
        staff = (
            User.objects.filter(
                memberships__organisation=client.home_office, memberships__role=Role.CONSULTANT, is_active=True
            )
            .order_by("username")
            .first()
        )
        plans: list[tuple[VisitType, dt.date, int, User | SystemActor | None]] = [
            (VisitType.objects.get(schedule=schedule, order=0), today + dt.timedelta(days=1), 10, staff or DEMO),
            (VisitType.objects.get(schedule=schedule, order=1), today + dt.timedelta(days=8), 12, None),
        ]
        for visit_type, day, hour, by in plans:
            start = _next_free(schedule, visit_type, day, hour)
            if start is None:
                continue
            try:
                if by is not None:  # booked on the client card
                    actions.book(
                        actor=by, client=client, visit_type=visit_type, starts_at=start, notes="Oferty pracy — kierowca"
                    )
                else:
                    account = seeker_actions.account_for_client(client)
                    actions.book(actor=PORTAL, client=client, visit_type=visit_type, starts_at=start, account=account)
            except DomainError:
                continue
            booked += 1
    if stdout is not None:
        who = f" for client {client.number} (PIN 1234)" if client is not None and booked else ""
        stdout.write(f"demo: appointment schedules for {made} county offices, {booked} booked visits{who}")

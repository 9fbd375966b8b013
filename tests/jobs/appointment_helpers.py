"""Builders for the appointment tests: a county office's schedule with three visit types."""

from __future__ import annotations

import datetime as dt

from okienko.accounts.models import Location, Organisation
from okienko.jobs.appointments.models import Schedule, VisitType, WeeklyHours

# Monday 9 March 2026, 10:00 in Warsaw (CET, UTC+1).
MONDAY_10 = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
MONDAY_16 = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
TUESDAY = dt.date(2026, 3, 10)


def warsaw(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone(dt.timedelta(hours=1))).astimezone(dt.UTC)


def schedule_for(office: Organisation, *, desks: int = 2) -> Schedule:
    Location.objects.get_or_create(
        organisation=office,
        name=str(office),
        defaults={"street": "ul. Pogodna 22", "postal_code": "15-354", "city": "Białystok", "is_main": True},
    )
    schedule = Schedule.objects.create(office=office, slot_minutes=15)
    for weekday in range(5):
        WeeklyHours.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(8, 0), closes=dt.time(15, 0), desks=desks
        )
    VisitType.objects.create(schedule=schedule, name="Wizyta u doradcy klienta", minutes=30, order=1)
    VisitType.objects.create(schedule=schedule, name="Doradztwo zawodowe", minutes=60, order=2)
    VisitType.objects.create(schedule=schedule, name="Rejestracja", minutes=15, order=3, portal=False)
    return schedule


def visit(schedule: Schedule, name: str = "Wizyta u doradcy klienta") -> VisitType:
    return VisitType.objects.get(schedule=schedule, name=name)

"""Free times of an office, computed for one day at a time (nothing is materialised).

A day's hours are its ``ScheduleException`` if there is one, else nothing on a Polish public
holiday (``core.calendar``), else the weekday's ``WeeklyHours``. Inside each interval the times
start on the schedule's grid; a time is free for a visit type when some desk has every grid step
of the visit's length untaken. Times already past (or starting within ``MIN_NOTICE``) are not
offered, nor days beyond the schedule's horizon.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from okienko.core import calendar, clock
from okienko.core.clock import WARSAW
from okienko.jobs.appointments.models import DeskHold, Schedule, ScheduleException, VisitType

MIN_NOTICE = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Interval:
    opens: dt.time
    closes: dt.time
    desks: int


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # aware, UTC
    ends_at: dt.datetime
    free_desks: tuple[int, ...]

    @property
    def local(self) -> dt.datetime:
        return self.starts_at.astimezone(WARSAW)


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at Warsaw wall time ``time`` as an aware UTC datetime."""
    return dt.datetime.combine(day, time, tzinfo=WARSAW).astimezone(dt.UTC)


def hours_of(schedule: Schedule, day: dt.date) -> list[Interval]:
    exception = ScheduleException.objects.filter(schedule=schedule, day=day).first()
    if exception is not None:
        if exception.closed or exception.opens is None or exception.closes is None:
            return []
        return [Interval(exception.opens, exception.closes, exception.desks)]
    if calendar.is_public_holiday(day):
        return []
    return [Interval(h.opens, h.closes, h.desks) for h in schedule.hours.filter(weekday=day.weekday())]


def closed_reason(schedule: Schedule, day: dt.date) -> str:
    exception = ScheduleException.objects.filter(schedule=schedule, day=day, closed=True).first()
    if exception is not None:
        return exception.reason or "—"
    return calendar.holiday_name(day) or ""


def last_day(schedule: Schedule, now: dt.datetime | None = None) -> dt.date:
    today = (now or clock.now()).astimezone(WARSAW).date()
    return today + dt.timedelta(days=schedule.horizon_days)


def taken(schedule: Schedule, day: dt.date) -> set[tuple[dt.datetime, int]]:
    start = at(day, dt.time(0, 0))
    end = at(day + dt.timedelta(days=1), dt.time(0, 0))
    rows = DeskHold.objects.filter(office_id=schedule.office_id, starts_at__gte=start, starts_at__lt=end)
    return {(s, d) for s, d in rows.values_list("starts_at", "desk")}


def free_slots(
    schedule: Schedule,
    visit_type: VisitType,
    day: dt.date,
    *,
    now: dt.datetime | None = None,
    horizon: bool = True,
) -> list[Slot]:
    """The times on ``day`` when ``visit_type`` can still be booked, with the desks free then."""
    now = now or clock.now()
    if not schedule.active or not 2000 <= day.year <= 2100 or (horizon and day > last_day(schedule, now)):
        return []  # (beyond those years a day's bounds overflow; no office books visits there)
    step = dt.timedelta(minutes=schedule.slot_minutes)
    steps = max(1, -(-visit_type.minutes // schedule.slot_minutes))
    busy = taken(schedule, day)
    earliest = now + MIN_NOTICE
    found: dict[dt.datetime, Slot] = {}
    for interval in hours_of(schedule, day):
        opens, closes = at(day, interval.opens), at(day, interval.closes)
        start = opens
        while start + step * steps <= closes:
            if start >= earliest:
                cells = [start + step * i for i in range(steps)]
                desks = tuple(d for d in range(1, interval.desks + 1) if not any((c, d) in busy for c in cells))
                if desks:
                    found[start] = Slot(start, start + dt.timedelta(minutes=visit_type.minutes), desks)
            start += step
    return [found[k] for k in sorted(found)]


def slot_at(schedule: Schedule, visit_type: VisitType, starts_at: dt.datetime, **kwargs: object) -> Slot | None:
    day = starts_at.astimezone(WARSAW).date()
    for slot in free_slots(schedule, visit_type, day, **kwargs):  # type: ignore[arg-type]
        if slot.starts_at == starts_at:
            return slot
    return None


def open_days(schedule: Schedule, visit_type: VisitType, *, now: dt.datetime | None = None) -> list[dt.date]:
    """The days within the horizon with at least one free time for ``visit_type``."""
    now = now or clock.now()
    first = now.astimezone(WARSAW).date()
    days = []
    for offset in range(schedule.horizon_days + 1):
        day = first + dt.timedelta(days=offset)
        if free_slots(schedule, visit_type, day, now=now):
            days.append(day)
    return days


def cells(schedule: Schedule, starts_at: dt.datetime, minutes: int) -> list[dt.datetime]:
    step = dt.timedelta(minutes=schedule.slot_minutes)
    steps = max(1, -(-minutes // schedule.slot_minutes))
    return [starts_at + step * i for i in range(steps)]

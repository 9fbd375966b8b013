"""Service-level deadlines of a case, computed on the business calendar.

* ``deadlines`` — response-due, resolve-due and the 3× resolve limit from a service's SLA rule.
* ``shift`` — after a pause (waiting for the client) every deadline moves by the paused time,
  counted in the same basis: real time for calendar days, office time for working days/hours.
* ``overdue_level`` — 0 on time, 1 overdue, 3 more than three times over the allowed time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from okienko.accounts.calendar import calendar_for
from okienko.core.calendar import BusinessCalendar, calendar_from_rows
from okienko.core.memo import Memo

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"


@dataclass(frozen=True)
class Rule:
    basis: str
    response: int | None
    resolve: int | None


@dataclass(frozen=True)
class Deadlines:
    response_due: dt.datetime | None
    resolve_due: dt.datetime | None
    resolve_due_3x: dt.datetime | None


def deadlines(rule: Rule, start: dt.datetime, calendar: BusinessCalendar) -> Deadlines:
    def due(amount: int | None) -> dt.datetime | None:
        return None if not amount else calendar.add_business_time(start, amount, rule.basis)

    return Deadlines(due(rule.response), due(rule.resolve), due(3 * rule.resolve if rule.resolve else None))


def paused_amount(
    basis: str, paused_from: dt.datetime, paused_to: dt.datetime, calendar: BusinessCalendar
) -> dt.timedelta:
    """How much SLA time a pause used up (to be added back to every deadline)."""
    if paused_to <= paused_from:
        return dt.timedelta(0)
    if basis == CALENDAR_DAYS:
        return paused_to - paused_from
    return calendar.working_time_between(paused_from, paused_to)


def shift(due: dt.datetime | None, basis: str, amount: dt.timedelta, calendar: BusinessCalendar) -> dt.datetime | None:
    """``due`` moved later by ``amount`` of SLA time."""
    if due is None or amount <= dt.timedelta(0):
        return due
    if basis == CALENDAR_DAYS:
        return due + amount
    return calendar.add_working_time(due, amount)


def overdue_level(
    *, now: dt.datetime, resolve_due: dt.datetime | None, resolve_due_3x: dt.datetime | None, running: bool
) -> int:
    """0 on time (or clock stopped), 1 past resolve-due, 3 past three times the allowed time."""
    if not running or resolve_due is None:
        return 0
    if resolve_due_3x is not None and now > resolve_due_3x:
        return 3
    return 1 if now > resolve_due else 0


def calendar_of(service: Any, unit: Any) -> BusinessCalendar:
    """The calendar a case's deadlines run on: the service's own hours when it has them (e.g. a
    hotline open until 20:00), else the office hours of the unit handling it (or its parents)."""
    if service is not None:
        own = _service_calendars.get(service.pk, lambda: _service_calendar(service))
        if own is not None:
            return own
    if unit is None:
        return calendar_for(None)
    return _unit_calendars.get(unit.pk, lambda: calendar_for(unit))


# Calendars per process for seconds: they change rarely and are read by every new case; a save of
# hours in this process clears them at once (``cases.apps``), other processes follow within the TTL.
_service_calendars: Memo[BusinessCalendar | None] = Memo(ttl=30)
_unit_calendars: Memo[BusinessCalendar] = Memo(ttl=30)


def _service_calendar(service: Any) -> BusinessCalendar | None:
    rows = list(service.hours.values_list("weekday", "opens", "closes"))
    return calendar_from_rows(rows) if rows else None

"""The Polish business calendar: public holidays, office hours and deadline arithmetic.

Everything is computed in local time (Europe/Warsaw) and returned as aware UTC datetimes, so a
deadline of "8 working hours" or "3 days" is correct across the March and October DST changes.

Conventions (see ADR 0015):

* **calendar days** — the same wall-clock time ``n`` days later; when that day is not a working
  day (weekend or public holiday) the deadline moves to the same time on the next working day
  (as art. 57 § 4 KPA does for statutory time limits).
* **working days** — the end of office hours on the ``n``-th working day after the start day.
* **working hours** — ``n`` hours of office time, counted only inside the office hours.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

from okienko.core.clock import WARSAW

UTC = dt.UTC
Interval = tuple[dt.time, dt.time]

# Safety bound for every day-by-day walk (a calendar with no working time at all would loop).
MAX_DAYS = 3660


class CalendarError(ValueError):
    """The calendar cannot answer (e.g. no office hours on any weekday)."""


@lru_cache(maxsize=64)
def _holidays_for_year(year: int) -> Mapping[dt.date, str]:
    return dict(holidays.country_holidays("PL", years=year, language="pl"))


def holiday_name(day: dt.date) -> str | None:
    """The name of the Polish public holiday on ``day`` (``None`` on an ordinary day)."""
    return _holidays_for_year(day.year).get(day)


def is_public_holiday(day: dt.date) -> bool:
    return holiday_name(day) is not None


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not accepted; pass an aware datetime")
    return value


def _local(value: dt.datetime) -> dt.datetime:
    return _aware(value).astimezone(WARSAW)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at local wall time ``time``, as UTC (a time skipped by DST resolves forwards)."""
    local = dt.datetime.combine(day, time, tzinfo=WARSAW)
    # Round-trip through UTC normalises non-existent wall times (02:30 on the March change).
    return local.astimezone(UTC)


DEFAULT_HOURS: dict[int, tuple[Interval, ...]] = {weekday: ((dt.time(8, 0), dt.time(16, 0)),) for weekday in range(5)}


@dataclass(frozen=True)
class BusinessCalendar:
    """Office hours per weekday (0 = Monday) on the Polish holiday calendar."""

    hours: Mapping[int, Sequence[Interval]] = field(default_factory=lambda: dict(DEFAULT_HOURS))

    def __post_init__(self) -> None:
        normalised: dict[int, tuple[Interval, ...]] = {}
        for weekday, intervals in self.hours.items():
            if not 0 <= weekday <= 6:
                raise CalendarError(f"weekday {weekday} is not 0..6")
            ordered = tuple(sorted(intervals))
            for opens, closes in ordered:
                if opens >= closes:
                    raise CalendarError(f"office hours {opens}–{closes} end before they start")
            for (_o1, c1), (o2, _c2) in itertools.pairwise(ordered):
                if o2 < c1:
                    raise CalendarError("office hours of one weekday overlap")
            if ordered:
                normalised[weekday] = ordered
        if not normalised:
            raise CalendarError("the calendar has no office hours on any weekday")
        object.__setattr__(self, "hours", normalised)

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, tuple(v)) for k, v in self.hours.items())))

    # -- days --------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.hours.get(day.weekday())) and not is_public_holiday(day)

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The office intervals of ``day`` as UTC datetimes (none on holidays and days off)."""
        if not self.is_working_day(day):
            return []
        return [(_at(day, opens), _at(day, closes)) for opens, closes in self.hours[day.weekday()]]

    def next_working_day(self, day: dt.date, *, include_self: bool = False) -> dt.date:
        current = day if include_self else day + dt.timedelta(days=1)
        for _ in range(MAX_DAYS):
            if self.is_working_day(current):
                return current
            current += dt.timedelta(days=1)
        raise CalendarError("no working day found within ten years")

    def _intervals_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Office intervals (UTC) from ``start`` onwards, the first one clipped to ``start``."""
        day = _local(start).date()
        for _ in range(MAX_DAYS):
            for opens, closes in self.intervals_on(day):
                if closes <= start:
                    continue
                yield max(opens, start), closes
            day += dt.timedelta(days=1)
        raise CalendarError("no office time found within ten years")

    def is_open(self, moment: dt.datetime) -> bool:
        moment = _aware(moment)
        day = _local(moment).date()
        return any(opens <= moment < closes for opens, closes in self.intervals_on(day))

    # -- deadlines ---------------------------------------------------------------------------
    def add_calendar_days(self, start: dt.datetime, days: int, *, roll_forward: bool = True) -> dt.datetime:
        """The same local wall time ``days`` later (next working day if that one is not)."""
        if days < 0:
            raise ValueError("days must not be negative")
        local = _local(start)
        day = local.date() + dt.timedelta(days=days)
        if roll_forward:
            day = self.next_working_day(day, include_self=True)
        return _at(day, local.time().replace(tzinfo=None))

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The close of office hours on the ``days``-th working day after the start's day.

        ``days=0`` means the end of today's office hours (or of the next working day when the
        start is after hours or on a day off).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = _local(start).date()
        if days == 0:
            todays = self.intervals_on(day)
            if todays and start < todays[-1][1]:
                return todays[-1][1]
            day = self.next_working_day(day)
        else:
            for _ in range(days):
                day = self.next_working_day(day)
        return self.intervals_on(day)[-1][1]

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment when ``amount`` of office time has passed after ``start``."""
        start = _aware(start).astimezone(UTC)
        if amount < dt.timedelta(0):
            raise ValueError("amount must not be negative")
        if amount == dt.timedelta(0):
            return start
        remaining = amount
        for opens, closes in self._intervals_from(start):
            available = closes - opens
            if remaining <= available:
                return opens + remaining
            remaining -= available
        raise CalendarError("unreachable")  # pragma: no cover - _intervals_from raises first

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add_working_time(start, dt.timedelta(hours=hours))

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Office time inside ``[start, end)`` (zero when ``end`` is not after ``start``)."""
        start = _aware(start).astimezone(UTC)
        end = _aware(end).astimezone(UTC)
        total = dt.timedelta(0)
        if end <= start:
            return total
        day = _local(start).date()
        last = _local(end).date()
        while day <= last:
            for opens, closes in self.intervals_on(day):
                lo, hi = max(opens, start), min(closes, end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``."""
        count = 0
        day = start + dt.timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += dt.timedelta(days=1)
        return count

    def add_business_time(self, start: dt.datetime, amount: int, basis: str) -> dt.datetime:
        """Dispatch on an SLA basis: ``calendar_days``, ``working_days`` or ``working_hours``."""
        if basis == "calendar_days":
            return self.add_calendar_days(start, amount)
        if basis == "working_days":
            return self.add_working_days(start, amount)
        if basis == "working_hours":
            return self.add_working_hours(start, amount)
        raise ValueError(f"unknown SLA basis {basis!r}")


DEFAULT = BusinessCalendar()


def calendar_from_rows(rows: Iterable[tuple[int, dt.time, dt.time]]) -> BusinessCalendar:
    """A calendar from (weekday, opens, closes) rows, e.g. office hours or a service's hours."""
    hours: dict[int, list[Interval]] = {}
    for weekday, opens, closes in rows:
        hours.setdefault(weekday, []).append((opens, closes))
    return BusinessCalendar(hours={k: tuple(v) for k, v in hours.items()})


# Module-level shortcuts on the default calendar -------------------------------------------------
def is_working_day(day: dt.date, calendar: BusinessCalendar = DEFAULT) -> bool:
    return calendar.is_working_day(day)


def add_calendar_days(start: dt.datetime, days: int, calendar: BusinessCalendar = DEFAULT) -> dt.datetime:
    return calendar.add_calendar_days(start, days)


def add_working_days(start: dt.datetime, days: int, calendar: BusinessCalendar = DEFAULT) -> dt.datetime:
    return calendar.add_working_days(start, days)


def add_working_hours(start: dt.datetime, hours: float, calendar: BusinessCalendar = DEFAULT) -> dt.datetime:
    return calendar.add_working_hours(start, hours)


def working_time_between(start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar = DEFAULT) -> dt.timedelta:
    return calendar.working_time_between(start, end)


def add_business_time(start: dt.datetime, amount: int, basis: str, calendar: BusinessCalendar = DEFAULT) -> dt.datetime:
    return calendar.add_business_time(start, amount, basis)

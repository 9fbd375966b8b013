"""Dates of visits as people say them: "jutro (wtorek, 8 grudnia) o 9:30"."""

from __future__ import annotations

import datetime as dt

from okienko.core.clock import WARSAW

WEEKDAYS_PL = ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"]
MONTHS_PL = [
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
    "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
]  # fmt: skip
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def day_name(day: dt.date, language: str = "pl") -> str:
    """``wtorek, 8 grudnia`` / ``Tuesday, 8 December``."""
    if language == "en":
        return f"{WEEKDAYS_EN[day.weekday()]}, {day.day} {MONTHS_EN[day.month - 1]}"
    return f"{WEEKDAYS_PL[day.weekday()]}, {day.day} {MONTHS_PL[day.month - 1]}"


def clock_time(value: dt.datetime) -> str:
    local = value.astimezone(WARSAW)
    return f"{local.hour}:{local.minute:02d}"


def spoken_when(starts_at: dt.datetime, *, today: dt.date, language: str = "pl") -> str:
    """``jutro (wtorek, 8 grudnia) o 9:30``, ``dziś (…) o …``, else ``wtorek, 8 grudnia 2026 o 9:30``."""
    local = starts_at.astimezone(WARSAW)
    day = local.date()
    name = day_name(day, language)
    time = clock_time(starts_at)
    if language == "en":
        if day == today + dt.timedelta(days=1):
            return f"tomorrow ({name}) at {time}"
        if day == today:
            return f"today ({name}) at {time}"
        return f"{name} {day.year} at {time}"
    if day == today + dt.timedelta(days=1):
        return f"jutro ({name}) o {time}"
    if day == today:
        return f"dziś ({name}) o {time}"
    return f"{name} {day.year} o {time}"

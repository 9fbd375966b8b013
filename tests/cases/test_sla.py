"""SLA deadlines on the business calendar, pauses and overdue levels."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from okienko.cases import sla
from okienko.core.calendar import DEFAULT

WAW = ZoneInfo("Europe/Warsaw")


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=WAW)


def test_working_day_deadlines_include_three_times_limit() -> None:
    result = sla.deadlines(sla.Rule("working_days", 1, 5), local(2026, 11, 23, 10), DEFAULT)
    assert result.response_due == local(2026, 11, 24, 16)
    assert result.resolve_due == local(2026, 11, 30, 16)
    # 15 working days from Mon 23 Nov: Dec 14 (no holidays between)
    assert result.resolve_due_3x == local(2026, 12, 14, 16)


def test_rule_without_amounts_has_no_deadlines() -> None:
    result = sla.deadlines(sla.Rule("working_days", None, None), local(2026, 11, 23, 10), DEFAULT)
    assert result == sla.Deadlines(None, None, None)


def test_working_hours_deadline_across_october_dst() -> None:
    result = sla.deadlines(sla.Rule("working_hours", 2, 8), local(2026, 10, 23, 12), DEFAULT)
    assert result.response_due == local(2026, 10, 23, 14)
    assert result.resolve_due == local(2026, 10, 26, 12)


def test_pause_over_a_weekend_and_holiday_shifts_by_office_time_only() -> None:
    # waiting for the client from Tue 10 Nov 14:00 to Thu 12 Nov 10:00: 2 h + (holiday) + 2 h
    paused = sla.paused_amount("working_days", local(2026, 11, 10, 14), local(2026, 11, 12, 10), DEFAULT)
    assert paused == dt.timedelta(hours=4)
    assert sla.shift(local(2026, 11, 13, 16), "working_days", paused, DEFAULT) == local(2026, 11, 16, 12)


def test_pause_over_a_weekend_costs_nothing_on_working_basis() -> None:
    paused = sla.paused_amount("working_hours", local(2026, 11, 20, 16), local(2026, 11, 23, 8), DEFAULT)
    assert paused == dt.timedelta(0)
    assert sla.shift(local(2026, 11, 24, 9), "working_hours", paused, DEFAULT) == local(2026, 11, 24, 9)


def test_pause_on_calendar_basis_shifts_by_real_time() -> None:
    paused = sla.paused_amount("calendar_days", local(2026, 11, 20, 16), local(2026, 11, 23, 8), DEFAULT)
    assert paused == dt.timedelta(hours=64)
    assert sla.shift(local(2026, 11, 25, 9), "calendar_days", paused, DEFAULT) == local(2026, 11, 28, 1)


def test_shift_of_missing_deadline_stays_missing() -> None:
    assert sla.shift(None, "working_days", dt.timedelta(hours=3), DEFAULT) is None


def test_overdue_levels() -> None:
    due, due3 = local(2026, 11, 23, 16), local(2026, 12, 14, 16)
    kwargs = {"resolve_due": due, "resolve_due_3x": due3}
    assert sla.overdue_level(now=local(2026, 11, 23, 15), running=True, **kwargs) == 0
    assert sla.overdue_level(now=local(2026, 11, 24, 9), running=True, **kwargs) == 1
    assert sla.overdue_level(now=local(2026, 12, 15, 9), running=True, **kwargs) == 3
    assert sla.overdue_level(now=local(2026, 12, 15, 9), running=False, **kwargs) == 0
    assert sla.overdue_level(now=local(2026, 12, 15, 9), running=True, resolve_due=None, resolve_due_3x=None) == 0


def test_service_hours_replace_the_units_office_hours_for_deadlines(city: Any, frozen: Any) -> None:
    """A fallen-tree line handled 8:00–20:00 counts 8 working hours from Monday 10:00 to 18:00
    the same day; on the unit's 8:00–16:00 it would be Tuesday 10:00."""
    from okienko.catalogue.models import ServiceHours
    from tests.cases.conftest import open_pothole

    warsaw = ZoneInfo("Europe/Warsaw")
    without = open_pothole(city, service=city.tree, answers={})
    assert without.resolve_due.astimezone(warsaw) == dt.datetime(2026, 11, 24, 10, 0, tzinfo=warsaw)
    for weekday in range(5):
        ServiceHours.objects.create(service=city.tree, weekday=weekday, opens=dt.time(8), closes=dt.time(20))
    case = open_pothole(city, service=city.tree, answers={})
    assert case.response_due.astimezone(warsaw) == dt.datetime(2026, 11, 23, 12, 0, tzinfo=warsaw)
    assert case.resolve_due.astimezone(warsaw) == dt.datetime(2026, 11, 23, 18, 0, tzinfo=warsaw)

"""The Polish business calendar: holidays, office hours, deadline arithmetic across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from okienko.accounts.models import OfficeHours, Organisation
from okienko.core import calendar as cal
from okienko.core.calendar import BusinessCalendar, CalendarError

WAW = ZoneInfo("Europe/Warsaw")
UTC = dt.UTC


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WAW)  # type: ignore[misc,arg-type]


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 6),
        dt.date(2026, 4, 6),  # Easter Monday
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 3),
        dt.date(2026, 6, 4),  # Corpus Christi
        dt.date(2026, 8, 15),
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 11),
        dt.date(2026, 12, 24),  # Christmas Eve, a public holiday from 2025
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 26),
        dt.date(2025, 4, 21),  # Easter Monday 2025
        dt.date(2025, 6, 19),  # Corpus Christi 2025
        dt.date(2025, 12, 24),
    ],
)
def test_polish_public_holidays_are_not_working_days(day: dt.date) -> None:
    assert cal.is_public_holiday(day)
    assert not cal.is_working_day(day)


def test_christmas_eve_2024_was_an_ordinary_working_day() -> None:
    assert not cal.is_public_holiday(dt.date(2024, 12, 24))
    assert cal.is_working_day(dt.date(2024, 12, 24))


def test_holiday_name_is_polish() -> None:
    assert cal.holiday_name(dt.date(2026, 11, 11)) == "Narodowe Święto Niepodległości"
    assert cal.holiday_name(dt.date(2026, 11, 12)) is None


def test_weekends_are_not_working_days_by_default() -> None:
    assert not cal.is_working_day(dt.date(2026, 11, 21))  # Saturday
    assert not cal.is_working_day(dt.date(2026, 11, 22))  # Sunday
    assert cal.is_working_day(dt.date(2026, 11, 23))  # Monday


def test_add_calendar_days_keeps_local_wall_time() -> None:
    assert cal.add_calendar_days(local(2026, 11, 2, 10, 15), 3) == local(2026, 11, 5, 10, 15)


def test_add_calendar_days_rolls_a_weekend_deadline_to_monday() -> None:
    assert cal.add_calendar_days(local(2026, 11, 19, 9, 0), 2) == local(2026, 11, 23, 9, 0)


def test_add_calendar_days_rolls_over_a_holiday() -> None:
    # 10 Nov + 1 day = 11 Nov (Independence Day) → 12 Nov
    assert cal.add_calendar_days(local(2026, 11, 10, 12, 0), 1) == local(2026, 11, 12, 12, 0)


def test_add_calendar_days_across_march_dst_keeps_wall_time() -> None:
    result = cal.add_calendar_days(local(2026, 3, 27, 10, 0), 3)  # Fri → Mon 30 Mar, CEST
    assert result == local(2026, 3, 30, 10, 0)
    assert result.astimezone(UTC).hour == 8
    assert result.tzinfo == UTC


def test_add_calendar_days_across_october_dst_keeps_wall_time() -> None:
    result = cal.add_calendar_days(local(2026, 10, 23, 10, 0), 3)  # Fri CEST → Mon CET
    assert result == local(2026, 10, 26, 10, 0)
    assert result.astimezone(UTC).hour == 9


def test_add_working_days_ends_at_close_of_nth_working_day() -> None:
    assert cal.add_working_days(local(2026, 11, 23, 10, 0), 2) == local(2026, 11, 25, 16, 0)


def test_add_working_days_skips_weekend_and_holiday() -> None:
    # Tue 10 Nov + 2 working days: Wed 11 Nov is a holiday → Thu 12, Fri 13
    assert cal.add_working_days(local(2026, 11, 10, 15, 0), 2) == local(2026, 11, 13, 16, 0)


def test_add_working_days_over_easter_monday() -> None:
    # Thu 2 Apr 2026 + 2: Fri 3 Apr, (weekend, Easter Monday 6 Apr), Tue 7 Apr
    assert cal.add_working_days(local(2026, 4, 2, 9, 0), 2) == local(2026, 4, 7, 16, 0)


def test_add_working_days_over_corpus_christi() -> None:
    assert cal.add_working_days(local(2026, 6, 3, 9, 0), 1) == local(2026, 6, 5, 16, 0)


def test_add_working_days_over_christmas_from_2025() -> None:
    # Tue 23 Dec 2025 + 1: 24, 25, 26 Dec are holidays, 27/28 weekend → Mon 29 Dec
    assert cal.add_working_days(local(2025, 12, 23, 9, 0), 1) == local(2025, 12, 29, 16, 0)


def test_add_zero_working_days_is_end_of_today_or_next_working_day() -> None:
    assert cal.add_working_days(local(2026, 11, 23, 10, 0), 0) == local(2026, 11, 23, 16, 0)
    assert cal.add_working_days(local(2026, 11, 23, 17, 0), 0) == local(2026, 11, 24, 16, 0)
    assert cal.add_working_days(local(2026, 11, 21, 10, 0), 0) == local(2026, 11, 23, 16, 0)


def test_add_working_hours_within_one_day() -> None:
    assert cal.add_working_hours(local(2026, 11, 23, 9, 0), 4) == local(2026, 11, 23, 13, 0)


def test_add_working_hours_carries_over_to_next_morning() -> None:
    assert cal.add_working_hours(local(2026, 11, 23, 14, 0), 4) == local(2026, 11, 24, 10, 0)


def test_add_working_hours_from_after_hours_starts_next_opening() -> None:
    assert cal.add_working_hours(local(2026, 11, 23, 18, 30), 1) == local(2026, 11, 24, 9, 0)


def test_add_working_hours_from_friday_evening_skips_weekend() -> None:
    assert cal.add_working_hours(local(2026, 11, 20, 15, 0), 2) == local(2026, 11, 23, 9, 0)


def test_add_working_hours_across_march_dst_weekend() -> None:
    # Fri 27 Mar 2026 15:00 CET + 3 h → Mon 30 Mar 10:00 CEST (clocks changed on Sunday)
    result = cal.add_working_hours(local(2026, 3, 27, 15, 0), 3)
    assert result == local(2026, 3, 30, 10, 0)
    assert result == dt.datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_add_working_hours_across_october_dst_weekend() -> None:
    result = cal.add_working_hours(local(2026, 10, 23, 15, 0), 3)
    assert result == local(2026, 10, 26, 10, 0)
    assert result == dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_office_hours_on_the_dst_night_count_real_elapsed_time() -> None:
    # A 24/7-style Sunday shift 00:00–06:00 lasts 5 real hours on 29 Mar 2026 and 7 on 25 Oct
    night = BusinessCalendar(hours={6: ((dt.time(0, 0), dt.time(6, 0)),)})
    march = dt.date(2026, 3, 29)
    october = dt.date(2026, 10, 25)
    assert night.working_time_between(local(2026, 3, 29, 0, 0), local(2026, 3, 30, 0, 0)) == dt.timedelta(hours=5)
    assert night.working_time_between(local(2026, 10, 25, 0, 0), local(2026, 10, 26, 0, 0)) == dt.timedelta(hours=7)
    assert night.intervals_on(march)[0][1] == dt.datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
    assert night.intervals_on(october)[0][1] == dt.datetime(2026, 10, 25, 5, 0, tzinfo=UTC)


def test_working_time_between_counts_only_office_hours() -> None:
    # Mon 14:00 → Tue 10:00 = 2 h + 2 h
    assert cal.working_time_between(local(2026, 11, 23, 14, 0), local(2026, 11, 24, 10, 0)) == dt.timedelta(hours=4)


def test_working_time_between_skips_weekend_and_holiday() -> None:
    # Tue 10 Nov 15:00 → Thu 12 Nov 9:00: 1 h (Tue) + 0 (11 Nov) + 1 h (Thu)
    result = cal.working_time_between(local(2026, 11, 10, 15, 0), local(2026, 11, 12, 9, 0))
    assert result == dt.timedelta(hours=2)
    weekend = cal.working_time_between(local(2026, 11, 20, 16, 0), local(2026, 11, 23, 8, 0))
    assert weekend == dt.timedelta(0)


def test_working_time_between_reversed_is_zero() -> None:
    assert cal.working_time_between(local(2026, 11, 24, 10, 0), local(2026, 11, 23, 10, 0)) == dt.timedelta(0)


def test_add_business_time_dispatches_on_basis() -> None:
    start = local(2026, 11, 23, 9, 0)
    assert cal.add_business_time(start, 1, "calendar_days") == local(2026, 11, 24, 9, 0)
    assert cal.add_business_time(start, 1, "working_days") == local(2026, 11, 24, 16, 0)
    assert cal.add_business_time(start, 1, "working_hours") == local(2026, 11, 23, 10, 0)
    with pytest.raises(ValueError, match="unknown SLA basis"):
        cal.add_business_time(start, 1, "fortnights")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_hours(dt.datetime(2026, 11, 23, 9, 0), 1)


def test_calendar_without_hours_is_refused() -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar(hours={})
    with pytest.raises(CalendarError):
        BusinessCalendar(hours={0: ((dt.time(16, 0), dt.time(8, 0)),)})


def test_split_office_hours_skip_the_lunch_break() -> None:
    split = BusinessCalendar(hours={0: ((dt.time(8, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0)))})
    assert split.add_working_hours(local(2026, 11, 23, 11, 0), 2) == local(2026, 11, 23, 14, 0)


@pytest.mark.django_db
def test_calendar_for_uses_office_hours_of_the_organisation_or_an_ancestor() -> None:
    city = Organisation.objects.create(code="c", name="City", kind=Organisation.Kind.CITY)
    unit = Organisation.objects.create(code="u", name="Unit", kind=Organisation.Kind.UNIT, parent=city)
    from okienko.accounts.calendar import calendar_for

    assert calendar_for(unit) is cal.DEFAULT
    OfficeHours.objects.create(organisation=city, weekday=5, opens=dt.time(9), closes=dt.time(13))
    saturday_only = calendar_for(unit)
    assert saturday_only.is_working_day(dt.date(2026, 11, 21))
    assert not saturday_only.is_working_day(dt.date(2026, 11, 23))
    OfficeHours.objects.create(organisation=unit, weekday=0, opens=dt.time(7), closes=dt.time(15))
    own = calendar_for(unit)
    assert own.add_working_hours(local(2026, 11, 23, 7, 0), 8) == local(2026, 11, 23, 15, 0)
    assert own.add_working_hours(local(2026, 11, 23, 7, 0), 9) == local(2026, 11, 30, 8, 0)

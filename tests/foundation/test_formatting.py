"""One date and time format across the desk and the portal (issue 12, item 8)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from okienko.core import formatting

SRC = Path(__file__).resolve().parents[2] / "src" / "okienko"
WINTER = dt.datetime(2026, 12, 5, 13, 3, tzinfo=dt.UTC)  # 14:03 in Warsaw
SUMMER = dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC)  # 08:30 in Warsaw


def test_polish_numbers_and_words_in_the_installations_time_zone() -> None:
    with translation.override("pl"):
        assert formatting.when(WINTER) == "05.12.2026, 14:03"
        assert formatting.when(SUMMER) == "01.07.2026, 08:30"
        assert formatting.day(dt.date(2026, 3, 9)) == "09.03.2026"
        assert formatting.long_day(WINTER) == "5 grudnia 2026"
        assert formatting.long_when(SUMMER) == "1 lipca 2026, 08:30"
        assert formatting.when(None) == formatting.day("") == ""  # type: ignore[arg-type]  # templates pass ""


def test_english_keeps_the_day_first_and_the_24_hour_clock() -> None:
    with translation.override("en"):
        assert formatting.when(WINTER) == "05.12.2026, 14:03"
        assert formatting.long_day(WINTER) == "5 December 2026"


def test_the_long_weekday_is_lower_case_in_polish() -> None:
    from okienko.core import formatting

    with translation.override("pl"):
        assert formatting.long_weekday(WINTER) == "sobota, 5 grudnia 2026"
    with translation.override("en"):
        assert formatting.long_weekday(WINTER).startswith("Saturday, ")


def test_template_filters_and_the_time_element() -> None:
    template = Template("{% load okienko_format %}{{ at|when }}|{{ at|long_day }}|{{ at|timetag }}|{{ none|when }}")
    with translation.override("pl"):
        out = template.render(Context({"at": WINTER, "none": None}))
    assert out == (
        '05.12.2026, 14:03|5 grudnia 2026|<time datetime="2026-12-05T14:03:00+01:00">05.12.2026, 14:03</time>|'
    )


@pytest.mark.parametrize("path", sorted(SRC.glob("**/templates/**/*.html")), ids=lambda p: str(p.relative_to(SRC)))
def test_templates_format_dates_through_the_one_helper(path: Path) -> None:
    """Only machine forms use ``|date``: ``c``, ISO ``Y-m-d`` (an ``<input type=date>``'s value, a
    link's parameter, the accessibility statement's dates, which the minister's template writes
    so), a bare year and the audit log's exact seconds."""
    formats = re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8"))
    assert set(formats) <= {"c", "Y", "Y-m-d", "Y-m-d H:i:s"}, formats


@pytest.mark.parametrize(
    ("count", "basis", "polish"),
    [
        (1, "working_days", "1 dzień roboczy"),
        (3, "working_days", "3 dni robocze"),
        (14, "working_days", "14 dni roboczych"),
        (22, "working_days", "22 dni robocze"),
        (1, "calendar_days", "1 dzień"),
        (30, "calendar_days", "30 dni"),
        (24, "working_hours", "24 godziny robocze"),
        (8, "working_hours", "8 godzin roboczych"),
        (None, "working_days", "—"),
    ],
)
def test_deadlines_take_the_polish_plural_form(count: int | None, basis: str, polish: str) -> None:
    with translation.override("pl"):
        assert formatting.period(count, basis) == polish


def test_phone_numbers_and_addresses_are_links() -> None:
    template = Template("{% load okienko_format %}{{ phone|tel }} {{ mail|mailto }} {{ none|tel }}")
    out = template.render(Context({"phone": "+48 42 638 44 44", "mail": "kontakt@lodz.example.pl", "none": ""}))
    assert out == (
        '<a href="tel:+48426384444">+48 42 638 44 44</a> '
        '<a href="mailto:kontakt@lodz.example.pl">kontakt@lodz.example.pl</a> '
    )

"""One way to write dates and times on every screen, message and export of the installation.

The formats themselves are per language in ``okienko.conf.formats`` (Polish: ``05.12.2026, 14:03``
on screens that list things, ``5 grudnia 2026`` where words are used); times are shown in the
installation's time zone. Templates use the filters of ``{% load okienko_format %}``:
``|when`` and ``|day`` (numbers), ``|long_when`` and ``|long_day`` (the month in words).
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def when(value: dt.date | dt.datetime | None) -> str:
    """``05.12.2026, 14:03`` (a date alone: ``05.12.2026``); ``""`` for none."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return day(value)
    return formats.date_format(_local(value), "SHORT_DATETIME_FORMAT")


def day(value: dt.date | dt.datetime | None) -> str:
    """``05.12.2026``; ``""`` for none."""
    if value is None or value == "":
        return ""
    return formats.date_format(_local(value), "SHORT_DATE_FORMAT")


def long_when(value: dt.date | dt.datetime | None) -> str:
    """``5 grudnia 2026, 14:03`` (a date alone: ``5 grudnia 2026``); ``""`` for none."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return long_day(value)
    return formats.date_format(_local(value), "DATETIME_FORMAT")


def long_day(value: dt.date | dt.datetime | None) -> str:
    """``5 grudnia 2026``; ``""`` for none."""
    if value is None or value == "":
        return ""
    return formats.date_format(_local(value), "DATE_FORMAT")


def iso(value: dt.date | dt.datetime | None) -> str:
    """The machine-readable form for ``<time datetime="…">``."""
    if value is None or value == "":
        return ""
    return _local(value).isoformat()

"""One way to write dates and times on every screen, message and export of the installation.

The formats themselves are per language in ``okienko.conf.formats`` (Polish: ``05.12.2026, 14:03``
on screens that list things, ``5 grudnia 2026`` where words are used); times are shown in the
installation's time zone. Templates use the filters of ``{% load okienko_format %}``:
``|when`` and ``|day`` (numbers), ``|long_when`` and ``|long_day`` (the month in words).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import ngettext


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _format(value: dt.date | dt.datetime | None, date_format: str, datetime_format: str = "") -> str:
    """``value`` in the active language's ``date_format`` (``datetime_format`` for a date and time);
    ``""`` for none."""
    if value is None or value == "":
        return ""
    chosen = datetime_format if datetime_format and isinstance(value, dt.datetime) else date_format
    return formats.date_format(_local(value), chosen)


def when(value: dt.date | dt.datetime | None) -> str:
    """``05.12.2026, 14:03`` (a date alone: ``05.12.2026``); ``""`` for none."""
    return _format(value, "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT")


def day(value: dt.date | dt.datetime | None) -> str:
    """``05.12.2026``; ``""`` for none."""
    return _format(value, "SHORT_DATE_FORMAT")


def long_when(value: dt.date | dt.datetime | None) -> str:
    """``5 grudnia 2026, 14:03`` (a date alone: ``5 grudnia 2026``); ``""`` for none."""
    return _format(value, "DATE_FORMAT", "DATETIME_FORMAT")


def long_day(value: dt.date | dt.datetime | None) -> str:
    """``5 grudnia 2026``; ``""`` for none."""
    return _format(value, "DATE_FORMAT")


def long_weekday(value: dt.date | dt.datetime | None) -> str:
    """``wtorek, 8 grudnia 2026`` (the day of the week and the long date); ``""`` for none."""
    if value is None or value == "":
        return ""
    name = str(dateformat.format(_local(value), "l"))
    if (translation.get_language() or "").startswith("pl"):
        name = name.lower()  # Polish writes the days of the week in lower case
    return f"{name}, {long_day(value)}"


def amount(value: Decimal | int | None, currency: str = "") -> str:
    """An amount of money with two decimals, grouped the active language's way: ``1 234,50``
    (a no-break space between the groups) or, with ``currency``, ``1 234,50 PLN``; ``""`` for none."""
    if value is None or value == "":
        return ""
    text = formats.number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text}\xa0{currency}" if currency else text


def iso(value: dt.date | dt.datetime | None) -> str:
    """The machine-readable form for ``<time datetime="…">``."""
    if value is None or value == "":
        return ""
    return _local(value).isoformat()


def period(count: int | None, basis: str) -> str:
    """A deadline's length with the noun in the right Polish form: ``1 dzień roboczy``,
    ``3 dni robocze``, ``14 dni roboczych``, ``24 godziny robocze``; ``basis`` is one of
    ``calendar_days``, ``working_days``, ``working_hours`` (the catalogue's SLA bases)."""
    if not count:
        return "—"
    if basis == "working_hours":
        text = ngettext("%(n)d working hour", "%(n)d working hours", count)
    elif basis == "calendar_days":
        text = ngettext("%(n)d day", "%(n)d days", count)
    else:
        text = ngettext("%(n)d working day", "%(n)d working days", count)
    return text % {"n": count}

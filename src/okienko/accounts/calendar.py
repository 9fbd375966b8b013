"""The business calendar of an organisation: its office hours, else its nearest ancestor's."""

from __future__ import annotations

from okienko.accounts.models import OfficeHours, Organisation
from okienko.core.calendar import DEFAULT, BusinessCalendar, calendar_from_rows
from okienko.core.tree import path_prefixes


def calendar_for(organisation: Organisation | None) -> BusinessCalendar:
    """The calendar of ``organisation``: its own office hours, else its nearest ancestor's, else
    the default Monday–Friday 8:00–16:00."""
    if organisation is None:
        return DEFAULT
    rows = list(
        OfficeHours.objects.filter(organisation__path__in=path_prefixes(organisation.path)).values_list(
            "organisation__path", "weekday", "opens", "closes"
        )
    )
    if not rows:
        return DEFAULT
    deepest = max(path for path, *_rest in rows)
    return calendar_from_rows((weekday, opens, closes) for path, weekday, opens, closes in rows if path == deepest)

"""The booking steps shared by the portal and the desk: visit type → day → free time.

Each step is a plain GET form (works without JavaScript, one native control per step); the
last one posts the chosen time. Bad input never raises: an unknown visit type, a malformed or
closed day or a time no longer free is a form error with a clear message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.core.clock import WARSAW
from okienko.jobs.appointments import slots
from okienko.jobs.appointments.models import VisitType


class BookingForm(forms.Form):
    visit_type = forms.ModelChoiceField(
        label=_("Kind of visit"),
        queryset=VisitType.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the kinds of visit listed.")},
    )
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the day as YYYY-MM-DD.")},
    )
    start = forms.CharField(label=pgettext_lazy("time of day", "Time"), required=False, max_length=40)
    notes = forms.CharField(
        label=_("Reason and notes (seen by staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, visit_types: QuerySet[VisitType], staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit_type"].queryset = visit_types  # type: ignore[attr-defined]
        self.fields["visit_type"].label_from_instance = label_of  # type: ignore[attr-defined]
        if not staff:
            del self.fields["notes"]


def label_of(visit_type: VisitType) -> str:
    text = f"{visit_type.name} ({visit_type.minutes} min)"
    if visit_type.schedule.office.kind != Organisation.Kind.COUNTY_OFFICE:
        text += f" — {visit_type.schedule.office}"
    return text


@dataclass
class Step:
    """Where the booking stands after reading the form."""

    visit_type: VisitType | None = None
    days: list[dt.date] = field(default_factory=list)
    day: dt.date | None = None
    slots: list[slots.Slot] = field(default_factory=list)
    start: dt.datetime | None = None


def parse_start(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


def read(form: BookingForm, *, staff: bool = False, now: dt.datetime | None = None) -> Step:
    """Validate what was chosen so far and compute the next choices."""
    now = now or clock.now()
    step = Step()
    if not form.is_bound or not form.is_valid():
        return step
    step.visit_type = form.cleaned_data["visit_type"]
    assert step.visit_type is not None
    schedule = step.visit_type.schedule
    if staff:
        first = now.astimezone(WARSAW).date()
        step.days = [
            first + dt.timedelta(days=i)
            for i in range(max(schedule.horizon_days, 60) + 1)
            if slots.hours_of(schedule, first + dt.timedelta(days=i))
        ][:60]
    else:
        step.days = slots.open_days(schedule, step.visit_type, now=now)
    day = form.cleaned_data.get("day")
    if day is None:
        return step
    if day not in step.days:
        form.add_error("day", _("No free times on this day. Choose one of the days listed."))
        return step
    step.day = day
    step.slots = slots.free_slots(schedule, step.visit_type, day, now=now, horizon=not staff)
    if not step.slots:
        form.add_error("day", _("No free times on this day. Choose one of the days listed."))
        return step
    raw = form.cleaned_data.get("start") or ""
    if raw:
        start = parse_start(raw)
        if start is None or all(s.starts_at != start for s in step.slots):
            form.add_error("start", _("This time is not free. Choose one of the times listed."))
        else:
            step.start = start
    return step


CHOOSE_TIME = _("Choose a time.")

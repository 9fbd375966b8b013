"""The desk's forms for keeping appointment schedules (``desk:appointment_schedule*``).

The weekly hours are typed, one field per weekday, as ranges separated by commas — ``8:00-12:00,
13:00-15:30`` — with the desks working in parallel after an ``x`` (``8:00-15:30 x2``; one desk
when left out); an empty field closes the weekday. Bad input is a form error on its field, never
an exception: the domain (``schedules``) checks the ranges again (start before end, no overlap).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Location, Organisation
from okienko.core.errors import InvalidInput
from okienko.jobs.appointments import schedules
from okienko.jobs.appointments.models import Schedule, VisitType, Weekday
from okienko.jobs.appointments.schedules import Range

_RANGE = re.compile(
    r"^(?P<h1>\d{1,2})(?:[:.](?P<m1>\d{2}))?\s*[-–—]\s*(?P<h2>\d{1,2})(?:[:.](?P<m2>\d{2}))?"
    r"(?:\s*[x×*]\s*(?P<desks>\d{1,2}))?$",
    re.IGNORECASE,
)
HOURS_HELP = _("For example 8:00-12:00, 13:00-15:30. Desks in parallel after an x: 8:00-15:30 x2. Empty: closed.")


def _time(hours: str, minutes: str | None) -> dt.time | None:
    h, m = int(hours), int(minutes or 0)
    if h > 23 or m > 59:
        return None
    return dt.time(h, m)


def parse_ranges(text: str) -> list[Range]:
    """``8:00-12:00, 13:00-15:30 x2`` → ranges; raises ``forms.ValidationError`` with what is wrong."""
    result = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            raise forms.ValidationError(
                _("“%(part)s” is not a range of hours like 8:00-15:30."), params={"part": part[:40]}, code="format"
            )
        opens, closes = _time(match["h1"], match["m1"]), _time(match["h2"], match["m2"])
        if opens is None or closes is None:
            raise forms.ValidationError(_("“%(part)s”: no such time."), params={"part": part[:40]}, code="time")
        result.append(Range(opens, closes, int(match["desks"] or 1)))
    try:
        return schedules.validate_ranges(result)
    except InvalidInput as exc:
        raise forms.ValidationError(str(exc.message), code="invalid") from exc


def format_ranges(ranges: list[Range]) -> str:
    return ", ".join(f"{r.opens.hour}:{r.opens.minute:02d}-{r.closes.hour}:{r.closes.minute:02d}" +
                     (f" x{r.desks}" if r.desks != 1 else "") for r in ranges)  # fmt: skip


class RangesField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=300, help_text=HOURS_HELP, **kwargs)

    def clean(self, value: Any) -> list[Range]:
        text = super().clean(value)
        return parse_ranges(text)


class ScheduleForm(forms.ModelForm):  # type: ignore[type-arg]
    """The schedule's settings; ``office`` only when a schedule is created."""

    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        to_field_name="code",
        error_messages={"invalid_choice": _("Choose one of the offices listed.")},
    )

    class Meta:
        model = Schedule
        fields = ("name", "location", "slot_minutes", "horizon_days", "cancel_hours", "portal_booking")

    def __init__(self, *args: Any, offices: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is None:
            del self.fields["office"]
            self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
                organisation_id=self.instance.office_id
            )
        else:
            self.fields["office"].queryset = offices  # type: ignore[attr-defined]
            self.order_fields(["office"])
            del self.fields["location"]  # the office's addresses are offered once it is chosen

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in schedules.SETTINGS_FIELDS}


class WeekForm(forms.Form):
    """The hours of the seven weekdays, one text field each."""

    def __init__(self, *args: Any, initial_week: dict[int, list[Range]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = RangesField(
                label=day.label, initial=format_ranges((initial_week or {}).get(day.value, []))
            )

    def week(self) -> dict[int, list[Range]]:
        return {day.value: self.cleaned_data[f"day_{day.value}"] for day in Weekday}


class ExceptionForm(forms.Form):
    """A day closed (a holiday, a training of the staff) or open at other hours."""

    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the day as YYYY-MM-DD.")},
    )
    closed = forms.BooleanField(label=pgettext_lazy("office hours", "Closed all day"), required=False, initial=True)
    opens = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    desks = forms.IntegerField(label=_("Desks in parallel"), min_value=1, max_value=50, initial=1, required=False)
    reason = forms.CharField(label=_("Reason (e.g. a public holiday)"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("closed"):
            opens, closes = data.get("opens"), data.get("closes")
            if opens is None or closes is None:
                if "opens" not in self.errors and "closes" not in self.errors:
                    self.add_error("opens", _("Give the hours of the day, or mark it closed."))
            elif opens >= closes:
                self.add_error("closes", _("The end must be after the start."))
        return data

    def hours(self) -> Range | None:
        data = self.cleaned_data
        if data.get("closed") or data.get("opens") is None or data.get("closes") is None:
            return None
        return Range(data["opens"], data["closes"], data.get("desks") or 1)


class VisitTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = VisitType
        fields = schedules.VISIT_TYPE_FIELDS
        labels = {"portal": _("Job seekers may book it on the portal (else only staff book it)")}

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

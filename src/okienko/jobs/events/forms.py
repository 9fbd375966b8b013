"""Forms of trainings and events: the portal's filters and guest registration, the desk's
editing forms (issue 19, item 7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.jobs.events.models import Event, Training
from okienko.jobs.events.states import EventKind, Funding

KZIS_PREFIX = r"^\d{1,6}$"
TERYT_PREFIX = r"^\d{2}(\d{2}(\d{3})?)?$"


class _Filters(forms.Form):
    q = forms.CharField(label=_("Title"), required=False, max_length=200)
    occupation = forms.RegexField(
        label=_("Occupation (KZiS code or its beginning)"), regex=KZIS_PREFIX, required=False, max_length=6
    )
    area = forms.RegexField(
        label=_("Area (TERYT code: 2, 4 or 7 digits)"), regex=TERYT_PREFIX, required=False, max_length=7
    )
    office = forms.ChoiceField(label=_("Organised by"), required=False, choices=[("", _("any office"))])
    date_from = forms.DateField(label=_("From the day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, offices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = self.fields["office"]
        assert isinstance(office, forms.ChoiceField)
        office.choices = [("", _("any office")), *(offices or [])]

    def clean_date_from(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("date_from")
        if day is not None and not 2000 <= day.year <= 2100:  # beyond, the day's start overflows in UTC
            raise forms.ValidationError(_("Choose dates between 2000 and 2100."))
        return day


class TrainingFilterForm(_Filters):
    funding = forms.ChoiceField(
        label=_("Funding"), required=False, choices=[("", pgettext_lazy("funding", "any")), *Funding.choices]
    )
    free = forms.BooleanField(label=_("Free of charge for me only"), required=False)
    field_order = ["q", "occupation", "area", "office", "funding", "free", "date_from"]


class EventFilterForm(_Filters):
    kind = forms.ChoiceField(label=_("Kind of event"), required=False, choices=[("", _("any")), *EventKind.choices])
    field_order = ["q", "kind", "occupation", "area", "office", "date_from"]


class GuestRegistrationForm(forms.Form):
    """Registration without an account: name and e-mail (phone optional), with the portal's
    honeypot and minimum fill time (``portal.guard``; the view checks them)."""

    name = forms.CharField(label=_("First name and surname"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.RegexField(label=_("Phone (optional)"), regex=r"^\+?[0-9 ()-]{6,20}$", required=False, max_length=40)
    consent = forms.BooleanField(
        label=_("I agree that the office processes these details to handle my registration."), required=True
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)


class OccupationsField(forms.CharField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value


class _ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    occupations = OccupationsField(
        label=_("Occupations it leads to (KZiS codes, separated by commas)"), required=False, max_length=200
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}))


class TrainingForm(_ItemForm):
    class Meta:
        model = Training
        fields = [
            "title", "provider", "description", "start_date", "end_date", "hours", "online", "place_locality",
            "place_teryt", "cost", "funding", "occupations", "capacity", "waiting_list", "registration_open",
            "registration_deadline",
        ]  # fmt: skip
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class EventForm(_ItemForm):
    class Meta:
        model = Event
        fields = [
            "title", "kind", "description", "starts_at", "ends_at", "online", "address", "place_teryt",
            "online_link", "occupations", "capacity", "waiting_list", "registration_open",
        ]  # fmt: skip
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }


def values_of(form: TrainingForm | EventForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form._meta.fields or ()}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=500)


def today() -> dt.date:
    from okienko.core import clock

    return clock.local_now().date()

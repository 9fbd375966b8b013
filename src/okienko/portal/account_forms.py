"""Forms of the portal accounts (issue 19, items 1 and 4): sign-in, registration, CV, candidate search."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation
from okienko.jobs.seekers.actions import DRIVING_LICENCES
from okienko.jobs.seekers.models import WorkingTime


def _offices() -> Any:
    return Organisation.objects.active().filter(kind=Organisation.Kind.COUNTY_OFFICE).order_by("name")


class PinSignInForm(forms.Form):
    number = forms.CharField(
        label=_("Client number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "inputmode": "numeric"}),
    )


class EmailSignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SeekerRegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        help_text=_("At least 12 characters."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    office = forms.ModelChoiceField(label=_("County labour office"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = _offices()  # type: ignore[attr-defined]


class EmployerRegistrationForm(SeekerRegistrationForm):
    company = forms.CharField(label=_("Company name"), max_length=250)
    nip = forms.CharField(label=_("NIP"), max_length=13, help_text=_("10 digits, dashes allowed."))
    locality = forms.CharField(label=_("Locality"), max_length=120)
    teryt_code = forms.RegexField(
        label=capfirst(_("TERYT code of the municipality")),
        regex=r"^\d{7}$",
        max_length=7,
        error_messages={"invalid": _("A municipality's TERYT code has 7 digits.")},
    )

    field_order = ("company", "nip", "locality", "teryt_code", "office", "first_name", "last_name", "email", "password")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CVForm(forms.Form):
    headline = forms.CharField(label=_("Who you are at work, in one line"), max_length=200, required=False)
    main_occupation = forms.RegexField(
        label=_("Main occupation (KZiS code)"),
        regex=r"^\d{6}$",
        max_length=6,
        required=False,
        error_messages={"invalid": _("An occupation code (KZiS) has 6 digits.")},
    )
    experience = forms.CharField(
        label=_("Experience"),
        required=False,
        max_length=6000,
        help_text=_(
            "One job a line: position; KZiS code; years; employer — e.g. “Magazynier; 432102; 5; Hurtownia Podlasie”."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    education = forms.CharField(
        label=_("Education"),
        required=False,
        max_length=4000,
        help_text=_("One school or course a line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    skills = forms.CharField(label=_("Skills"), required=False, max_length=2000, help_text=_("Separated by commas."))
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=1000,
        help_text=_("One a line: language and level A1–C2, e.g. “angielski B2”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    driving_licences = forms.MultipleChoiceField(
        label=_("Driving licences"),
        required=False,
        choices=[(c, c) for c in DRIVING_LICENCES],
        widget=forms.CheckboxSelectMultiple,
    )
    available_from = forms.DateField(
        label=_("Available from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    areas = forms.CharField(
        label=_("Preferred area (TERYT codes)"),
        required=False,
        max_length=400,
        help_text=_("Codes of voivodeships (2 digits), powiats (4) or municipalities (7), separated by spaces."),
    )
    working_time = forms.ChoiceField(label=_("Working time"), choices=WorkingTime.choices, initial=WorkingTime.ANY)

    def clean_experience(self) -> list[dict[str, Any]]:
        entries = []
        for line in _lines(self.cleaned_data.get("experience") or ""):
            parts = [p.strip() for p in line.split(";")]
            parts += [""] * (4 - len(parts))
            code, years = parts[1], parts[2]
            if code and not re.fullmatch(r"\d{6}", code):
                raise forms.ValidationError(_("An occupation code (KZiS) has 6 digits."))
            if years and not years.isdigit():
                raise forms.ValidationError(_("Give the years of experience as a number."))
            entries.append({"title": parts[0], "occupation_code": code, "years": int(years or 0), "employer": parts[3]})
        return entries

    def clean_education(self) -> list[str]:
        return _lines(self.cleaned_data.get("education") or "")

    def clean_skills(self) -> list[str]:
        return [s.strip() for s in (self.cleaned_data.get("skills") or "").split(",") if s.strip()]

    def clean_languages(self) -> list[dict[str, str]]:
        entries = []
        for line in _lines(self.cleaned_data.get("languages") or ""):
            language, _sep, level = line.rpartition(" ")
            if not language or level.upper() not in ("A1", "A2", "B1", "B2", "C1", "C2"):
                raise forms.ValidationError(_("A language level is one of A1–C2."))
            entries.append({"language": language.strip(), "level": level.upper()})
        return entries

    def clean_areas(self) -> list[str]:
        codes = (self.cleaned_data.get("areas") or "").split()
        if any(not re.fullmatch(r"\d{2}(\d{2}(\d{3})?)?", c) for c in codes):
            raise forms.ValidationError(_("A TERYT code has 2, 4 or 7 digits."))
        return codes


class CandidateSearchForm(forms.Form):
    occupation = forms.RegexField(
        label=_("Occupation (KZiS code or its beginning)"),
        regex=r"^\d{1,6}$",
        max_length=6,
        required=False,
        error_messages={"invalid": _("Give 1 to 6 digits of the KZiS code.")},
    )
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False, help_text=_("Separated by commas."))
    area = forms.RegexField(
        label=_("Area (TERYT code or its beginning)"),
        regex=r"^\d{2,7}$",
        max_length=7,
        required=False,
        error_messages={"invalid": _("Give 2 to 7 digits of the TERYT code.")},
    )
    available_by = forms.DateField(
        label=_("Available by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    working_time = forms.ChoiceField(
        label=_("Working time"),
        required=False,
        choices=[
            ("", _("any")),
            (WorkingTime.FULL, WorkingTime.FULL.label),
            (WorkingTime.PART, WorkingTime.PART.label),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)


class ContactRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the candidate"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

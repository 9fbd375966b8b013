"""Forms for the office's staff: registering an offer and an employer, moderating."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.search import Filters
from okienko.jobs.states import ContractType

LIST_FIELDS = ("education", "skills", "driving_licences")


class OfferForm(forms.ModelForm[JobOffer]):
    """An offer registered at the office (lists typed one item per line)."""

    employer = forms.ModelChoiceField(queryset=Employer.objects.none(), label=_("employer"))
    education = forms.CharField(
        label=_("education (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    skills = forms.CharField(label=_("skills (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    driving_licences = forms.CharField(label=_("driving licences, e.g. B, C+E"), required=False)

    class Meta:
        model = JobOffer
        fields: ClassVar[list[str]] = [
            "title",
            "occupation_code",
            "place_teryt",
            "place_locality",
            "place_street",
            "latitude",
            "longitude",
            "work_mode",
            "posts",
            "contract_type",
            "working_time",
            "shifts",
            "hours_note",
            "pay_min",
            "pay_max",
            "pay_period",
            "pay_note",
            "experience_years",
            "requirements_text",
            "description",
            "valid_from",
            "valid_until",
            "contact_preference",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "requirements_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, employers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if employers is not None:
            self.fields["employer"].queryset = employers  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "employer"}
        for name in LIST_FIELDS:
            text = str(data.get(name) or "")
            separator = "," if name == "driving_licences" else "\n"
            data[name] = [item.strip() for item in text.split(separator) if item.strip()]
        return data


class EmployerForm(forms.ModelForm[Employer]):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Employer
        fields: ClassVar[list[str]] = [
            "name",
            "nip",
            "regon",
            "street",
            "postal_code",
            "locality",
            "teryt_code",
            "website",
        ]


class ModerationForm(forms.Form):
    DECISIONS: ClassVar[list[tuple[str, Any]]] = [
        ("approve", _("approve and publish")),
        ("return", _("return for correction")),
        ("reject", _("reject")),
    ]
    decision = forms.ChoiceField(label=_("decision"), choices=DECISIONS, widget=forms.RadioSelect)
    occupation_code = forms.RegexField(label=_("occupation (KZiS)"), regex=r"^\d{6}$", required=False, max_length=6)
    reason = forms.CharField(
        label=_("reason or note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OfferSearchForm(forms.Form):
    """The public offer search's filters (portal page and API share it)."""

    q = forms.CharField(label=_("What job"), required=False, max_length=200)
    area = forms.RegexField(
        label=_("Area (TERYT code: 2, 4 or 7 digits)"), regex=r"^\d{2}(\d{2}(\d{3})?)?$", required=False, max_length=7
    )
    near = forms.CharField(label=_("Near the locality"), required=False, max_length=120)
    km = forms.IntegerField(label=_("Distance (km)"), required=False, min_value=1, max_value=300)
    occupation = forms.RegexField(
        label=_("Occupation (KZiS code or its beginning)"), regex=r"^\d{1,6}$", required=False, max_length=6
    )
    contract = forms.MultipleChoiceField(
        label=_("Contract"), required=False, choices=ContractType.choices, widget=forms.CheckboxSelectMultiple
    )
    working_time = forms.ChoiceField(
        label=_("Working time"),
        required=False,
        choices=[("", _("any")), ("full", _("full time")), ("part", _("part time"))],
    )
    pay_min = forms.DecimalField(
        label=_("Pay at least (PLN a month)"), required=False, min_value=0, max_value=1_000_000, decimal_places=2
    )
    verified = forms.BooleanField(label=_("Verified offers only"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("km") and not data.get("near"):
            self.add_error("near", _("Name the locality to measure the distance from."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            query=data.get("q") or "",
            area=data.get("area") or "",
            near=data.get("near") or "",
            km=data.get("km"),
            occupation=data.get("occupation") or "",
            contract=list(data.get("contract") or []),
            working_time=data.get("working_time") or "",
            pay_min=data.get("pay_min"),
            verified_only=bool(data.get("verified")),
        )

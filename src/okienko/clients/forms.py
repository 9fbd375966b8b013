"""Desk forms for clients. Validation of identifiers happens here (clear field errors) and again in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.clients import identifiers
from okienko.clients.models import Client, ClientConsent, ClientRelation

HOME_OFFICE_KINDS = (
    Organisation.Kind.REGION_OFFICE,
    Organisation.Kind.COUNTY_OFFICE,
    Organisation.Kind.CITY,
    Organisation.Kind.CONTACT_CENTRE,
)

# TERYT RODZ digit of real gminy: 1 urban, 2 rural, 3 urban-rural (4, 5, 8, 9 are their parts).
GMINA_KINDS = "123"


def gminas_for(offices: list[Organisation]) -> list[tuple[str, str]]:
    """Gminas in the territory the offices serve (by powiat or voivodeship prefix)."""
    prefixes = {t.code for o in offices for t in o.territory.all()}
    if not prefixes:
        return []
    units = TerritorialUnit.objects.filter(kind=TerritorialUnit.Kind.GMINA).order_by("name", "code")
    return [
        (u.code, f"{u.name} — {u.description} ({u.code})")
        for u in units
        if u.code[-1] in GMINA_KINDS and any(u.code.startswith(p) for p in prefixes)
    ]


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of client"), choices=Client.Kind.choices, initial=Client.Kind.PERSON)
    status = forms.ChoiceField(label=_("Status"), choices=Client.Status.choices, initial=Client.Status.RESIDENT)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=250, required=False)
    pesel = forms.CharField(label=_("PESEL"), max_length=20, required=False)
    nip = forms.CharField(label=_("NIP"), max_length=20, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{2}-\d{3}$",
        required=False,
        error_messages={"invalid": _("Enter the postal code as 00-000.")},
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    gmina = forms.ChoiceField(label=_("Gmina (TERYT)"), required=False)
    home_office = forms.ModelChoiceField(label=_("Home office"), queryset=Organisation.objects.none())
    confirm_new = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different client"), required=False
    )

    def __init__(self, *args: Any, offices: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office_field = self.fields["home_office"]
        assert isinstance(office_field, forms.ModelChoiceField)
        office_field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in offices])
        gmina_field = self.fields["gmina"]
        assert isinstance(gmina_field, forms.ChoiceField)
        gmina_field.choices = [("", "—"), *gminas_for(offices)]

    def clean_pesel(self) -> str:
        value: str = self.cleaned_data["pesel"]
        return identifiers.validate_pesel(value) if value.strip() else ""

    def clean_nip(self) -> str:
        value: str = self.cleaned_data["nip"]
        return identifiers.validate_nip(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Client.Kind.ORGANISATION:
            if not data.get("organisation_name"):
                self.add_error("organisation_name", _("Enter the organisation's name."))
        elif not data.get("last_name"):
            self.add_error("last_name", _("Enter the person's last name."))
        pesel, birth = data.get("pesel"), data.get("birth_date")
        if pesel and birth and identifiers.pesel_birth_date(pesel) != birth:
            self.add_error("birth_date", _("The date of birth does not match the PESEL number."))
        return data

    def client_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("kind", "status", "first_name", "last_name", "organisation_name", "pesel", "nip")
        fields = {name: data[name] for name in names}
        fields.update(
            birth_date=data["birth_date"],
            street=data["street"],
            postal_code=data["postal_code"],
            city=data["city"],
        )
        return fields


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("New PIN"),
        min_length=4,
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("4 to 8 digits. Tell it to the client; it is never shown again."),
    )
    pin_again = forms.CharField(
        label=_("PIN again"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pin = data.get("pin") or ""
        if pin and not pin.isdigit():
            self.add_error("pin", _("A PIN has 4 to 8 digits."))
        if pin and data.get("pin_again") != pin:
            self.add_error("pin_again", _("The two PINs differ."))
        return data


class ConsentForm(forms.Form):
    topic = forms.ChoiceField(label=_("Consent"), choices=ClientConsent.Topic.choices)
    granted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("granted")), ("0", _("withdrawn"))],
        coerce=lambda v: v == "1",
    )
    source = forms.ChoiceField(label=_("Source"), choices=ClientConsent.Source.choices)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("phone", pgettext_lazy("contact kind", "phone")), ("email", _("e-mail"))]
    )
    value = forms.CharField(label=_("Phone or e-mail"), max_length=254)


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relation"), choices=ClientRelation.Kind.choices)
    other_number = forms.CharField(label=_("Number of the client represented"), max_length=20)
    role = forms.CharField(label=_("Role or function"), max_length=120, required=False)


class MergeForm(forms.Form):
    other_number = forms.CharField(
        label=_("Number of the duplicate record"),
        max_length=20,
        help_text=_("Its contacts, history and cases move to this client; the duplicate is closed."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


def first_error(exc: ValidationError) -> str:
    return str(exc.messages[0])

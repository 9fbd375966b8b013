"""Desk forms for recording contacts and callbacks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation, User
from okienko.catalogue.models import Service
from okienko.core.choices import Channel
from okienko.interactions.models import Interaction


def services_for(organisation: Organisation | None) -> list[Service]:
    if organisation is None:
        return []
    return list(Service.objects.active().for_organisation(organisation).select_related("category"))


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Interaction.Direction.choices, initial=Interaction.Direction.IN
    )
    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=80,
        help_text=_("Type to search the catalogue; the code is filled in."),
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )
    question = forms.CharField(label=_("Question or subject"), max_length=500, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Interaction.Outcome.choices, initial=Interaction.Outcome.ANSWERED
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Caller's name (optional)"), max_length=200, required=False)
    contact_detail = forms.CharField(label=_("Caller's phone or e-mail (optional)"), max_length=254, required=False)

    def __init__(self, *args: Any, organisation: Organisation | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.services = services_for(organisation)

    def clean_service(self) -> Service | None:
        """The service by its code (the list fills it in) or, when the consultant typed words, the
        one service whose names or everyday keywords match them ("kuroniówka", "zasiłku")."""
        typed = (self.cleaned_data.get("service") or "").strip()
        if not typed:
            return None
        code = typed.split(" ", 1)[0]
        found = next((s for s in self.services if s.code == code), None)
        if found is not None:
            return found
        matches: list[Service] = []
        if self.organisation is not None:
            matches = list(
                Service.objects.active().for_organisation(self.organisation).search(typed).order_by("public_name")[:6]
            )
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise forms.ValidationError(
                _("Several services match: %(names)s. Choose one from the list.")
                % {"names": "; ".join(s.public_name for s in matches)}
            )
        raise forms.ValidationError(
            _("No service matches “%(typed)s”. Type a part of its name or an everyday word and choose from the list.")
            % {"typed": typed[:80]}
        )


class CallbackForm(forms.Form):
    reason = forms.CharField(label=_("What to call back about"), widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label=_("Phone to call"), max_length=40, required=False)
    due_at = forms.DateTimeField(
        label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    target_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Organisation.objects.none(), required=False)
    target_user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, units: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["target_unit"]
        user_field = self.fields["target_user"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        assert isinstance(user_field, forms.ModelChoiceField)
        unit_field.queryset = units
        user_field.queryset = users

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("target_unit") and not data.get("target_user"):
            self.add_error("target_unit", _("Choose the unit or the person who should call back."))
        return data


class CloseCallbackForm(forms.Form):
    status = forms.ChoiceField(label=_("Result"), choices=[("done", _("done")), ("failed", _("failed"))])
    result = forms.CharField(label=_("Note"), required=False, max_length=1000)

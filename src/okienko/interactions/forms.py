"""Desk forms for recording contacts and callbacks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation, User
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.core.choices import Channel
from okienko.interactions.actions import check_received_on
from okienko.interactions.models import PAPER_CHANNELS, Interaction


def services_for(organisation: Organisation | None) -> list[Service]:
    if organisation is None:
        return []
    return list(Service.objects.active().for_organisation(organisation).select_related("category"))


class ServiceChoiceForm(forms.Form):
    """A form with the catalogue's service typed or chosen from the list (``service-options``)."""

    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=80,
        help_text=_("Type to search the catalogue; the code is filled in."),
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )

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


class InteractionForm(ServiceChoiceForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Interaction.Direction.choices, initial=Interaction.Direction.IN
    )
    question = forms.CharField(label=_("Question or subject"), max_length=500, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Interaction.Outcome.choices, initial=Interaction.Outcome.ANSWERED
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Caller's name (optional)"), max_length=200, required=False)
    contact_detail = forms.CharField(label=_("Caller's phone or e-mail (optional)"), max_length=254, required=False)

    field_order = ["channel", "direction", "service", "question", "outcome", "notes"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScansField(forms.FileField):
    """One or more files from one ``<input type=file multiple>``; their content is checked by the
    action (``core.uploads``), here only how many came."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(ScansField, self).clean(item, initial) for item in files]


def _today() -> dt.date:
    return clock.local_now().date()


class PaperContactForm(ServiceChoiceForm):
    """A letter, a fax or a visit at the counter, registered in a few keystrokes: the channel and
    the date received come filled in (a letter, today)."""

    channel = forms.ChoiceField(
        label=_("Came as"),
        choices=[(c.value, c.label) for c in PAPER_CHANNELS],
        initial=Channel.LETTER,
        widget=forms.RadioSelect,
    )
    reference_number = forms.CharField(
        label=_("Reference number (sygnatura)"),
        required=False,
        max_length=100,
        help_text=_("The sender's number of the letter, if it has one."),
        error_messages={"max_length": _("A reference number has at most %(limit_value)d characters.")},
    )
    received_on = forms.DateField(
        label=_("Date received"),
        initial=_today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today unless the letter came earlier; never a future date."),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    question = forms.CharField(
        label=_("Subject"),
        max_length=500,
        error_messages={"required": _("Give the subject of the letter or visit.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scans = ScansField(
        label=_("Scans"),
        required=False,
        help_text=_("PDF or images, one or more files, each up to %(mb)d MB."),
    )
    contact_name = forms.CharField(label=_("Sender's name (optional)"), max_length=200, required=False)
    contact_address = forms.CharField(label=_("Sender's address (optional)"), max_length=300, required=False)
    contact_detail = forms.CharField(label=_("Sender's phone or e-mail (optional)"), max_length=254, required=False)

    field_order = ["channel", "reference_number", "received_on", "service", "question", "notes", "scans"]

    def __init__(self, *args: Any, organisation: Organisation | None, max_scan_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.max_scan_bytes = max_scan_bytes
        self.auto_id = "paper-%s"  # beside the contact form on the client card: ids of its own
        service = self.fields["service"]
        service.widget.attrs["list"] = "paper-service-options"
        received = self.fields["received_on"]
        received.widget.attrs["max"] = _today().isoformat()
        scans = self.fields["scans"]
        scans.help_text = str(scans.help_text) % {"mb": max_scan_bytes // (1024 * 1024)}
        scans.widget.attrs.update({"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp", "data-max-bytes": max_scan_bytes})

    def clean_received_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["received_on"]
        problem = check_received_on(day)
        if problem is not None:
            raise forms.ValidationError(problem)
        return day


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
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            ("done", pgettext_lazy("callback outcome", "done")),
            ("failed", pgettext_lazy("callback outcome", "failed")),
        ],
    )
    result = forms.CharField(label=_("Note"), required=False, max_length=1000)

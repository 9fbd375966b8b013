"""The residents' report form, built per service from its extra questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from okienko.cases import files
from okienko.cases.intake import CaseInputError, clean_answers
from okienko.catalogue.models import Service, ServiceQuestion
from okienko.core import uploads
from okienko.portal import guard

PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
FORM_ID = "report-form"


def question_field(question: ServiceQuestion) -> forms.Field:
    """A form field for one extra question (``notice`` questions have none)."""
    common: dict[str, Any] = {"label": question.label, "required": question.required, "help_text": question.description}
    kind = question.datatype
    if kind == ServiceQuestion.Datatype.SINGLEVALUELIST:
        choices = [("", "—"), *[(c.key, c.name) for c in question.choices.all()]]
        return forms.ChoiceField(choices=choices, **common)
    if kind == ServiceQuestion.Datatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(
            choices=[(c.key, c.name) for c in question.choices.all()], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == ServiceQuestion.Datatype.TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == ServiceQuestion.Datatype.NUMBER:
        return forms.CharField(max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == ServiceQuestion.Datatype.DATETIME:
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == ServiceQuestion.Datatype.LOCATION:
        if not common["help_text"]:
            common["help_text"] = _("Latitude and longitude, e.g. 51.7592, 19.4560, or a description of the place.")
        return forms.CharField(max_length=200, **common)
    return forms.CharField(max_length=200, **common)


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the matter?"),
        max_length=5000,
        help_text=_("Describe what happened and where. Suggested answers appear below as you type."),
        widget=forms.Textarea(attrs={"rows": 5, "form": FORM_ID}),
    )
    address = forms.CharField(
        label=_("Address or description of the place"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        localize=False,
        widget=forms.TextInput(attrs={"id": "f-latitude", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        localize=False,
        widget=forms.TextInput(attrs={"id": "f-longitude", "inputmode": "decimal"}),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP, up to %(mb)s MB.") % {"mb": files.DEFAULT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    name = forms.CharField(
        label=_("Your name"), max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[0-9 +()\-]{6,40}$",
        max_length=40,
        required=False,
        error_messages={"invalid": _("Enter a phone number using digits, spaces and +.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted about this report at the details given above."),
        required=False,
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.questions = list(service.questions.all())
        self.blocking = [q for q in self.questions if q.datatype == ServiceQuestion.Datatype.NOTICE and q.required]
        self.notices = [q for q in self.questions if q.datatype == ServiceQuestion.Datatype.NOTICE and not q.required]
        for q in self.questions:
            if q.datatype != ServiceQuestion.Datatype.NOTICE:
                self.fields[self.answer_name(q)] = question_field(q)
        if service.location_required:
            self.fields["address"].help_text = _("Required: give the address or put a pin on the map.")
        if not self.is_bound:
            self.initial[guard.STARTED] = guard.started_token()

    @staticmethod
    def answer_name(question: ServiceQuestion) -> str:
        return f"q_{question.code}"

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("q_")]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self["name"], self["email"], self["phone"]]

    def answers(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        answers: dict[str, Any] = {}
        for q in self.questions:
            value = data.get(self.answer_name(q))
            if value not in (None, "", []):
                answers[q.code] = value
        return answers

    def location(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "address": data.get("address", ""),
        }

    def reporter(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: data.get(k, "") for k in ("name", "email", "phone") if data.get(k)}

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > files.max_bytes():
            raise forms.ValidationError(
                gettext("The photo is larger than %(mb)s MB.") % {"mb": files.max_bytes() // (1024 * 1024)}
            )
        data = photo.read()
        photo.seek(0)
        try:
            uploads.check(data, max_bytes=files.max_bytes(), allowed=PHOTO_TYPES)
        except uploads.UploadRejected as exc:
            if exc.reason.startswith("type:"):
                raise forms.ValidationError(gettext("Attach a photo: a JPEG, PNG, GIF or WebP image.")) from exc
            raise forms.ValidationError(exc.message) from exc
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(guard.HONEYPOT):
            raise forms.ValidationError(gettext("The form could not be accepted. Please try again."), code="spam")
        if self.reporter() and not data.get("consent"):
            self.add_error("consent", gettext("Tick the consent, or leave the contact details empty."))
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("latitude", gettext("Give both latitude and longitude, or put a pin on the map."))
        elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.add_error("latitude", gettext("Latitude or longitude is out of range."))
        if self.service.location_required and lat is None and not data.get("address"):
            self.add_error("address", gettext("This service needs the place: an address or a pin on the map."))
        try:
            clean_answers(self.service, self.answers())
        except CaseInputError as exc:
            names = {q.code: self.answer_name(q) for q in self.questions}
            for code, message in exc.errors.items():
                name = names.get(code)
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
                elif name not in self.fields:
                    self.add_error(None, message)
        return data

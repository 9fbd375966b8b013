"""The period form the desk's report pages share (issue 20): two dates, checked the same way."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def date_field(label: Any) -> forms.DateField:
    # ISO in the value: a Polish-formatted date would leave the browser's date field empty.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class PeriodForm(forms.Form):
    """From–to (inclusive), years 2000–2100, at most ``max_days`` long (two years by default)."""

    max_days: ClassVar[int] = 2 * 366
    too_long: ClassVar[Any] = gettext_lazy("The period may be at most two years.")

    since = date_field(gettext_lazy("From"))
    until = date_field(gettext_lazy("To (inclusive)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise forms.ValidationError(_("The period ends before it starts."))
            if since.year < 2000 or until.year > 2100:
                raise forms.ValidationError(_("Choose dates between 2000 and 2100."))
            if (until - since).days > self.max_days:
                raise forms.ValidationError(str(self.too_long))
        return data

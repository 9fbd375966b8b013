from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from okienko.cases.models import Case, Cover, RoutingRule, SavedFilter
from okienko.core.admin import AuditedModelAdmin

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    """Weekdays as check-boxes (stored as the digits 0–6; none ticked = every day)."""

    weekdays = forms.MultipleChoiceField(
        label=_("weekdays"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every day."),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "organisation",
            "name",
            "order",
            "active",
            "service",
            "territory_prefix",
            "weekdays",
            "time_from",
            "time_to",
            "answer_code",
            "answer_value",
            "target_unit",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["weekdays"] = [d for d in self.instance.weekdays if d in "0123456"]

    def clean_weekdays(self) -> str:
        return "".join(sorted(set(self.cleaned_data.get("weekdays") or [])))


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    form = RoutingRuleForm
    list_display = ["name", "organisation", "order", "service", "territory_prefix", "target_unit", "active"]
    list_filter = ["organisation", "active"]
    search_fields = ["name"]
    autocomplete_fields = ["organisation", "service", "target_unit"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """Read-only: cases change only through actions (audited)."""

    list_display = ["number", "organisation", "service", "status", "assigned_unit", "resolve_due"]
    list_filter = ["status", "organisation"]
    search_fields = ["number"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SavedFilter)
class SavedFilterAdmin(AuditedModelAdmin):
    list_display = ["name", "owner", "shared_with"]
    search_fields = ["name", "owner__username"]
    autocomplete_fields = ["owner", "shared_with"]


@admin.register(Cover)
class CoverAdmin(AuditedModelAdmin):
    list_display = ["absent", "covering", "starts_on", "ends_on"]
    autocomplete_fields = ["absent", "covering"]

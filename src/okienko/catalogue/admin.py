from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.catalogue.models import (
    PriorityCondition,
    PriorityRule,
    Service,
    ServiceCategory,
    ServiceHours,
    ServiceQuestion,
    ServiceQuestionChoice,
    StandardText,
)
from okienko.core import audit
from okienko.core.admin import AuditedModelAdmin


class InlineAuditMixin:
    """Inline rows (questions, choices, texts) are audited too: what was added, changed or deleted."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            instances = formset.save()
            data = {
                "model": formset.model._meta.label_lower,
                "saved": [str(obj) for obj in instances],
                "deleted": [str(obj) for obj in formset.deleted_objects],
            }
            if instances or formset.deleted_objects:
                audit.record(
                    f"admin.{form.instance._meta.model_name}.inlines_changed",
                    actor=request.user,
                    obj=form.instance,
                    data=data,
                )


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "organisation", "parent", "order", "active"]
    list_filter = ["organisation", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class QuestionInline(admin.StackedInline[ServiceQuestion, Service]):
    model = ServiceQuestion
    extra = 0
    fields = [("code", "datatype", "required", "order"), "label", "description"]
    show_change_link = True


class TextInline(admin.StackedInline[StandardText, Service]):
    model = StandardText
    extra = 0
    fields = [("code", "status", "active"), "organisation", "title", "body"]


class HoursInline(admin.TabularInline[ServiceHours, Service]):
    model = ServiceHours
    extra = 0


class PriorityRuleInline(admin.TabularInline[PriorityRule, Service]):
    """The service's priority rules at a glance; conditions are edited on the rule's own page."""

    model = PriorityRule
    extra = 0
    fields = ["order", "name", "priority", "sla_basis", "response_due", "resolve_due", "active"]
    show_change_link = True


@admin.register(Service)
class ServiceAdmin(InlineAuditMixin, AuditedModelAdmin):
    list_display = [
        "public_name",
        "code",
        "organisation",
        "category",
        "kind",
        "responsible_unit",
        "sla_display",
        "active",
    ]
    list_filter = ["organisation", "kind", "case_type", "is_public", "publication", "active", "sla_basis"]
    search_fields = ["public_name", "internal_name", "code", "keywords"]
    autocomplete_fields = ["category", "responsible_unit"]
    inlines = [QuestionInline, PriorityRuleInline, TextInline, HoursInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organisation",
                    "code",
                    "category",
                    "kind",
                    "case_type",
                    "active",
                    "is_public",
                    "publication",
                    "order",
                ]
            },
        ),
        (_("Names"), {"fields": ["public_name", "internal_name", "keywords"]}),
        (_("Descriptions"), {"fields": ["public_description", "internal_description"]}),
        (
            _("Handling and SLA"),
            {"fields": ["responsible_unit", "sla_basis", "response_due", "resolve_due", "location_required"]},
        ),
    ]


class ChoiceInline(admin.TabularInline[ServiceQuestionChoice, ServiceQuestion]):
    model = ServiceQuestionChoice
    extra = 1


@admin.register(ServiceQuestion)
class ServiceQuestionAdmin(InlineAuditMixin, AuditedModelAdmin):
    list_display = ["label", "code", "service", "datatype", "required", "order"]
    list_filter = ["datatype", "required"]
    search_fields = ["label", "code", "service__public_name"]
    autocomplete_fields = ["service"]
    inlines = [ChoiceInline]


@admin.register(StandardText)
class StandardTextAdmin(AuditedModelAdmin):
    list_display = ["title", "code", "organisation", "service", "status", "active"]
    list_filter = ["organisation", "status", "active"]
    search_fields = ["title", "code", "body"]
    autocomplete_fields = ["service"]


class ConditionInline(admin.TabularInline[PriorityCondition, PriorityRule]):
    model = PriorityCondition
    extra = 1
    fields = ["question", "operator", "value"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Offer only the questions of the rule's service (a picker, not an id)."""
        if db_field.name == "question":
            rule_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            service_id = request.GET.get("service") or (
                PriorityRule.objects.filter(pk=rule_id).values_list("service_id", flat=True).first()
                if rule_id and str(rule_id).isdigit()
                else None
            )
            questions = ServiceQuestion.objects.exclude(datatype=ServiceQuestion.Datatype.NOTICE)
            if service_id and str(service_id).isdigit():
                questions = questions.filter(service_id=service_id)
            kwargs["queryset"] = questions.select_related("service")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PriorityRule)
class PriorityRuleAdmin(InlineAuditMixin, AuditedModelAdmin):
    list_display = ["name", "service", "priority", "response_due", "resolve_due", "sla_basis", "order", "active"]
    list_filter = ["priority", "active", "service__organisation"]
    search_fields = ["name", "service__public_name", "service__code"]
    autocomplete_fields = ["service"]
    inlines = [ConditionInline]
    fieldsets = [
        (None, {"fields": ["service", "name", "order", "active"]}),
        (_("Result"), {"fields": ["priority", "sla_basis", "response_due", "resolve_due"]}),
    ]

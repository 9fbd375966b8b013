"""Admin: flows with their versions (published and retired ones read-only, drafts editable),
publish and retire actions that say why a flow cannot be published, and the entry numbers.
Every change goes into the audit log (``AuditedModelAdmin`` and ``actions``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from okienko.core.admin import AuditedModelAdmin
from okienko.telephony.ivr import actions
from okienko.telephony.ivr.models import EntryNumber, Flow, FlowVersion, describe_all


def _problems_html(version: FlowVersion) -> SafeString:
    problems = describe_all(version.problems())
    if not problems:
        return format_html("{}", _("none: the flow may be published"))
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((text,) for text in problems)))


class FlowVersionForm(forms.ModelForm[FlowVersion]):
    """Refuses a stale edit (the version was published since the form was opened) with a
    message rather than an error page; ``FlowVersion.save`` refuses it anyway."""

    class Meta:
        model = FlowVersion
        fields = ["flow", "note", "definition"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pk = self.instance.pk
        stored = FlowVersion.objects.filter(pk=pk).values_list("status", flat=True).first() if pk else None
        if stored not in (None, FlowVersion.Status.DRAFT) and self.changed_data:
            raise ValidationError(_("A published version cannot be changed; make a new draft instead."))
        if "definition" in cleaned and not isinstance(cleaned["definition"], dict):
            raise ValidationError({"definition": _("A flow is a JSON object with “start” and “nodes”.")})
        return cleaned


class PublishedVersionInline(admin.TabularInline[FlowVersion, Flow]):
    """Published and retired versions: history, shown and never changed."""

    model = FlowVersion
    verbose_name_plural = _("published and retired versions")
    fields = ["number", "status", "note", "published_at", "published_by"]
    readonly_fields = ["number", "status", "note", "published_at", "published_by"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlowVersion]:
        return super().get_queryset(request).exclude(status=FlowVersion.Status.DRAFT)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DraftVersionInline(admin.StackedInline[FlowVersion, Flow]):
    model = FlowVersion
    form = FlowVersionForm
    verbose_name_plural = _("drafts")
    fields = ["note", "definition"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlowVersion]:
        return super().get_queryset(request).filter(status=FlowVersion.Status.DRAFT)


@admin.register(Flow)
class FlowAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "organisation", "current"]
    list_filter = ["organisation"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["organisation"]
    inlines = [PublishedVersionInline, DraftVersionInline]

    @admin.display(description=_("version callers hear"))
    def current(self, obj: Flow) -> str:
        version = obj.current_version()
        return str(version.number) if version is not None else "—"


@admin.register(FlowVersion)
class FlowVersionAdmin(AuditedModelAdmin):
    form = FlowVersionForm
    list_display = ["flow", "number", "status", "published_at", "note"]
    list_filter = ["status", "flow"]
    search_fields = ["flow__code", "flow__name", "note"]
    actions = ["publish", "retire"]
    readonly_fields = ["problems_found", "published_at", "published_by", "created_at"]

    fields = ["flow", "note", "definition", "problems_found", "status", "published_at", "published_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The status moves only through the publish and retire actions (validated, audited).
        frozen = ["flow", "note", "definition", "status"] if obj is not None and not obj.editable else ["status"]
        return [*frozen, *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.editable)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset.filter(status=FlowVersion.Status.DRAFT))

    @admin.display(description=_("problems"))
    def problems_found(self, obj: FlowVersion) -> SafeString:
        return _problems_html(obj)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FlowVersion]) -> None:
        done = 0
        for version in queryset.select_related("flow").order_by("flow", "number"):
            try:
                actions.publish(actor=request.user, version=version)
            except ValidationError as error:
                reasons = "; ".join(error.messages)
                self.message_user(
                    request,
                    _("%(version)s was not published: %(reasons)s") % {"version": version, "reasons": reasons},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d version published.", "%(count)d versions published.", done) % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Retire the selected published versions"))
    def retire(self, request: HttpRequest, queryset: QuerySet[FlowVersion]) -> None:
        for version in queryset.filter(status=FlowVersion.Status.PUBLISHED):
            actions.retire(actor=request.user, version=version)
            self.message_user(request, _("%(version)s retired.") % {"version": version}, messages.SUCCESS)


@admin.register(EntryNumber)
class EntryNumberAdmin(AuditedModelAdmin):
    list_display = ["number", "name", "organisation", "flow", "active", "version"]
    list_filter = ["active", "organisation"]
    search_fields = ["number", "name"]
    autocomplete_fields = ["organisation"]

    @admin.display(description=_("version callers hear"))
    def version(self, obj: EntryNumber) -> str:
        current = obj.current_version()
        return str(current.number) if current is not None else str(_("none published: the number is silent"))

"""Configuring electronic forms (registered by ``channels.admin``): a form's schema and mapping are
checked before they are saved, so that a broken one never rejects real submissions; the
submissions are read-only here (the desk's E-forms page lists them for the offices' staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from lxml import etree

from okienko.accounts import access as accounts_access
from okienko.accounts.roles import Perm
from okienko.channels.eforms import xmlsafe
from okienko.channels.eforms.models import EForm, EFormSubmission
from okienko.core.admin import AuditedModelAdmin

MAPPING_KEYS = frozenset(
    {
        "description",
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "address",
        "latitude",
        "longitude",
        "attachments",
    }
)


class EFormForm(forms.ModelForm[EForm]):
    class Meta:
        model = EForm
        fields = ["organisation", "code", "name", "service", "schema", "field_mapping", "signature_required", "active"]

    def clean_schema(self) -> str:
        text = str(self.cleaned_data["schema"])
        try:
            xmlsafe.schema_from_text(text)
        except (xmlsafe.UnsafeXml, etree.XMLSchemaParseError) as exc:
            raise forms.ValidationError(_("The schema cannot be used: %(error)s"), params={"error": exc}) from exc
        return text

    def clean_field_mapping(self) -> dict[str, str]:
        mapping = self.cleaned_data["field_mapping"] or {}
        if not isinstance(mapping, dict):
            raise forms.ValidationError(_("Give an object of field names and XPath expressions."))
        for key, expression in mapping.items():
            if key not in MAPPING_KEYS and not str(key).startswith("answer:"):
                raise forms.ValidationError(_("Unknown field: %(key)s."), params={"key": key})
            try:
                etree.XPath(str(expression), namespaces={"f": "urn:f", "e": "urn:e"})
            except etree.XPathSyntaxError as exc:
                raise forms.ValidationError(
                    _("Not an XPath expression (%(key)s): %(error)s"), params={"key": key, "error": exc}
                ) from exc
        return {str(k): str(v) for k, v in mapping.items()}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        office, service = cleaned.get("organisation"), cleaned.get("service")
        if office is not None and service is not None and not office.is_within(service.organisation):
            self.add_error("service", _("The service belongs to another jurisdiction than the receiving office."))
        return cleaned


def _configured(request: HttpRequest) -> Any:
    return accounts_access.organisations_with(request.user, Perm.CONFIGURE)


class EFormAdmin(AuditedModelAdmin):
    form = EFormForm
    list_display = ["name", "code", "organisation", "service", "signature_required", "active"]
    list_filter = ["active", "signature_required", "organisation"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["organisation", "service"]

    def get_queryset(self, request: HttpRequest) -> Any:
        """Only the forms of organisations the member of staff configures."""
        rows = super().get_queryset(request).select_related("organisation", "service")
        if getattr(request.user, "is_superuser", False):
            return rows
        return rows.filter(organisation__in=_configured(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation" and not getattr(request.user, "is_superuser", False):
            kwargs["queryset"] = _configured(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EFormSubmissionAdmin(admin.ModelAdmin[EFormSubmission]):
    list_display = ["received_at", "form_code", "organisation", "status", "signature", "transport", "case"]
    list_filter = ["status", "signature", "transport"]
    search_fields = ["sha256", "form_code", "source_name"]
    date_hierarchy = "received_at"
    fields = readonly_fields = (
        "received_at",
        "form",
        "form_code",
        "organisation",
        "transport",
        "system",
        "source_name",
        "status",
        "reasons",
        "signature",
        "signer_subject",
        "signer_issuer",
        "signer_serial",
        "digest",
        "size",
        "case",
    )

    @admin.display(description=_("SHA-256 digest"))
    def digest(self, obj: EFormSubmission) -> str:
        return obj.sha256

    def get_queryset(self, request: HttpRequest) -> Any:
        rows = super().get_queryset(request).select_related("organisation", "case")
        return rows.filter(pk__in=EFormSubmission.objects.visible_to(request.user).values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def register(site: admin.AdminSite) -> None:
    site.register(EForm, EFormAdmin)
    site.register(EFormSubmission, EFormSubmissionAdmin)

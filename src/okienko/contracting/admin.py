"""Kontraktor configuration in the admin: tranche schemes, the catalogue of shareable fields and
purposes, institution profiles; contracts read-mostly (their status moves only through the
actions); requests, settlements and the access log read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okienko.contracting.models import (
    AccessLog,
    Contract,
    ContractAgreement,
    ContractTransition,
    DataSharingRequest,
    InstitutionProfile,
    Settlement,
    SharedField,
    SharingPurpose,
    TrancheDefinition,
    TrancheScheme,
)
from okienko.core.admin import AuditedModelAdmin, ReadOnlyModelAdmin


class TrancheInline(admin.TabularInline[TrancheDefinition, TrancheScheme]):
    model = TrancheDefinition
    extra = 0
    fields = ["order", "name", "trigger", "minimum_days", "percent", "amount", "evidence_required"]


@admin.register(TrancheScheme)
class TrancheSchemeAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "currency", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    inlines = [TrancheInline]


@admin.register(SharedField)
class SharedFieldAdmin(AuditedModelAdmin):
    list_display = ["label", "code", "group", "order"]
    list_filter = ["group"]
    search_fields = ["label", "code"]


@admin.register(SharingPurpose)
class SharingPurposeAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "direction", "active"]
    list_filter = ["direction", "active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["fields"]


@admin.register(InstitutionProfile)
class InstitutionProfileAdmin(AuditedModelAdmin):
    list_display = ["organisation", "nip", "regon", "kraz_number", "contact_name"]
    search_fields = ["organisation__name", "nip", "regon", "kraz_number"]
    autocomplete_fields = ["organisation"]


class AgreementInline(admin.TabularInline[ContractAgreement, Contract]):
    model = ContractAgreement
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "sha256", "created_at")
    readonly_fields = ("kind", "original_name", "content_type", "size", "sha256", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(admin.TabularInline[ContractTransition, Contract]):
    model = ContractTransition
    extra = 0
    fields = ("at", "from_status", "to_status", "side", "actor_repr", "note")
    readonly_fields = ("at", "from_status", "to_status", "side", "actor_repr", "note")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(AuditedModelAdmin):
    """Descriptive fields only: parties, dates, money and status change through the actions."""

    list_display = ["number", "office", "agency", "region_office", "status", "start_date", "end_date"]
    list_filter = ["status", "agency_role", "end_policy"]
    search_fields = ["number", "title", "procurement_reference"]
    readonly_fields = [
        "uuid",
        "number",
        "office",
        "agency",
        "region_office",
        "start_date",
        "end_date",
        "price_per_participant",
        "currency",
        "tranche_scheme",
        "agency_role",
        "end_policy",
        "status",
        "office_certified_at",
        "agency_certified_at",
        "created_at",
        "updated_at",
    ]
    inlines = [AgreementInline, TransitionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataSharingRequest)
class DataSharingRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["contract", "direction", "purpose", "requester", "approver", "status", "valid_until"]
    list_filter = ["status", "direction"]
    exclude = ["participants"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyModelAdmin):
    list_display = [
        "contract",
        "period_start",
        "period_end",
        "kind",
        "status",
        "total",
        "currency",
        "invoice_reference",
    ]
    list_filter = ["status", "kind"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "at", "action", "outcome", "actor_repr", "institution_repr", "participant_ref", "purpose"]
    list_filter = ["action", "outcome"]
    search_fields = ["participant_ref", "actor_repr", "request_uuid", "message_id"]

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from okienko.accounts.models import Location, Membership, OfficeHours, Organisation, ScopeGrant, TerritorialUnit, User
from okienko.core.admin import AuditedModelAdmin


class LocationInline(admin.StackedInline[Location, Organisation]):
    model = Location
    extra = 0
    autocomplete_fields = ["teryt"]


class OfficeHoursInline(admin.TabularInline[OfficeHours, Organisation]):
    model = OfficeHours
    extra = 0


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "kind", "parent", "active", "open311_public"]
    list_filter = ["kind", "active", "open311_public"]
    search_fields = ["name", "code", "short_name"]
    autocomplete_fields = ["parent", "territory"]
    inlines = [LocationInline, OfficeHoursInline]


@admin.register(TerritorialUnit)
class TerritorialUnitAdmin(admin.ModelAdmin[TerritorialUnit]):
    list_display = ["code", "name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


@admin.register(ScopeGrant)
class ScopeGrantAdmin(AuditedModelAdmin):
    list_display = ["grantee", "target", "permission", "reason"]
    autocomplete_fields = ["grantee", "target"]

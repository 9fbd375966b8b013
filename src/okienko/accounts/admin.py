from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts.models import Location, Membership, OfficeHours, Organisation, ScopeGrant, TerritorialUnit, User
from okienko.accounts.thirdparty_apps import DEVICE_FIELDS, DEVICE_HELP
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


class _DeviceLabels:
    """django-otp's device admins with Polish labels and help texts on their forms and columns
    (set here, not on the models, so that the third-party migrations stay as they are)."""

    list_display = ["device_user", "device_name", "device_created", "device_last_used", "device_confirmed"]
    # Read-only columns shown through the labelled methods below; fieldset titles in Polish.
    READ_ONLY = {"created_at": "device_created", "last_used_at": "device_last_used"}
    SECTIONS = {
        "Identity": _("Device"),
        "Timestamps": _("Use"),
        "Configuration": _("Configuration"),
        "State": _("State"),
        "Throttling": _("Wrong codes"),
    }

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        fields = super().get_readonly_fields(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        return [self.READ_ONLY.get(f, f) for f in fields]

    def get_fieldsets(self, request: Any, obj: Any = None) -> list[tuple[Any, dict[str, Any]]]:
        sections = super().get_fieldsets(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        readonly = set(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return [
            (
                self.SECTIONS.get(title, title),
                {**opts, "fields": [self.READ_ONLY.get(f, f) if f in readonly else f for f in opts["fields"]]},
            )
            for title, opts in sections
        ]

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin
        if formfield is not None and db_field.name in DEVICE_FIELDS:
            formfield.label = capfirst(DEVICE_FIELDS[db_field.name])
            if db_field.name in DEVICE_HELP:
                formfield.help_text = DEVICE_HELP[db_field.name]
        return formfield

    @admin.display(description=DEVICE_FIELDS["user"], ordering="user")
    def device_user(self, device: Any) -> Any:
        return device.user

    @admin.display(description=DEVICE_FIELDS["name"], ordering="name")
    def device_name(self, device: Any) -> str:
        return str(device.name)

    @admin.display(description=DEVICE_FIELDS["created_at"], ordering="created_at")
    def device_created(self, device: Any) -> Any:
        return device.created_at

    @admin.display(description=DEVICE_FIELDS["last_used_at"], ordering="last_used_at")
    def device_last_used(self, device: Any) -> Any:
        return device.last_used_at

    @admin.display(description=DEVICE_FIELDS["confirmed"], boolean=True, ordering="confirmed")
    def device_confirmed(self, device: Any) -> bool:
        return bool(device.confirmed)


class PolishTOTPDeviceAdmin(_DeviceLabels, TOTPDeviceAdmin):  # type: ignore[misc]  # django-otp is untyped
    pass


class PolishStaticDeviceAdmin(_DeviceLabels, StaticDeviceAdmin):  # type: ignore[misc]  # django-otp is untyped
    pass


for _model, _admin in ((TOTPDevice, PolishTOTPDeviceAdmin), (StaticDevice, PolishStaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)

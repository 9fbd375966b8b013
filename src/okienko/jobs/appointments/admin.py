from typing import Any

from django.contrib import admin

from okienko.jobs.appointments.models import Appointment, Schedule, ScheduleException, VisitType, WeeklyHours


class VisitTypeInline(admin.TabularInline[VisitType, Schedule]):
    model = VisitType
    extra = 0


class WeeklyHoursInline(admin.TabularInline[WeeklyHours, Schedule]):
    model = WeeklyHours
    extra = 0


class ScheduleExceptionInline(admin.TabularInline[ScheduleException, Schedule]):
    model = ScheduleException
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ["office", "slot_minutes", "horizon_days", "cancel_hours", "portal_booking", "active"]
    list_filter = ["active", "portal_booking"]
    raw_id_fields = ["office", "location"]
    inlines = [VisitTypeInline, WeeklyHoursInline, ScheduleExceptionInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin[Appointment]):
    list_display = ["starts_at", "office", "visit_type", "client", "desk", "status", "reminder_sent_at"]
    list_filter = ["status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "office", "visit_type", "booked_by", "booked_by_account"]
    readonly_fields = ["uuid", "created_at", "cancelled_at", "reminder_sent_at"]

    # Bookings change through the desk and the portal (desk holds, audit, notices), not here.
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

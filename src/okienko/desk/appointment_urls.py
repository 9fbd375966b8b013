"""Appointments at the office on the desk (issue 19, item 6), names ``desk:appointments_…``."""

from django.urls import path

from okienko.desk import appointment_views as views
from okienko.desk import schedule_views

urlpatterns = [
    path("appointments/", views.day_view, name="appointments"),
    path("appointments/book/<uuid:client_uuid>/", views.book_view, name="appointments_book"),
    path("appointments/<uuid:uuid>/cancel", views.cancel_view, name="appointments_cancel"),
    path("appointments/<uuid:uuid>/close", views.close_view, name="appointments_close"),
    # Schedules of the offices (hours, days that differ, visit types).
    path("appointments/schedules/", schedule_views.schedules_view, name="appointment_schedules"),
    path("appointments/schedules/new/", schedule_views.schedule_new_view, name="appointment_schedule_new"),
    path("appointments/schedules/<slug:office>/", schedule_views.schedule_view, name="appointment_schedule"),
    path(
        "appointments/schedules/<slug:office>/settings",
        schedule_views.schedule_settings_view,
        name="appointment_schedule_settings",
    ),
    path(
        "appointments/schedules/<slug:office>/hours",
        schedule_views.schedule_hours_view,
        name="appointment_schedule_hours",
    ),
    path(
        "appointments/schedules/<slug:office>/days", schedule_views.schedule_day_view, name="appointment_schedule_day"
    ),
    path(
        "appointments/schedules/<slug:office>/days/<int:pk>/delete",
        schedule_views.schedule_day_delete_view,
        name="appointment_schedule_day_delete",
    ),
    path(
        "appointments/schedules/<slug:office>/active",
        schedule_views.schedule_active_view,
        name="appointment_schedule_active",
    ),
    path(
        "appointments/schedules/<slug:office>/visit-types/new/",
        schedule_views.visit_type_view,
        name="appointment_visit_type_new",
    ),
    path(
        "appointments/schedules/<slug:office>/visit-types/<int:pk>/",
        schedule_views.visit_type_view,
        name="appointment_visit_type",
    ),
]

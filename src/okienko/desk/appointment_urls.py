"""Appointments at the office on the desk (issue 19, item 6), names ``desk:appointments_…``."""

from django.urls import path

from okienko.desk import appointment_views as views

urlpatterns = [
    path("appointments/", views.day_view, name="appointments"),
    path("appointments/book/<uuid:client_uuid>/", views.book_view, name="appointments_book"),
    path("appointments/<uuid:uuid>/cancel", views.cancel_view, name="appointments_cancel"),
    path("appointments/<uuid:uuid>/close", views.close_view, name="appointments_close"),
]

"""Appointments at the county office for a signed-in job seeker (issue 19, item 6): included by
``portal/urls.py``."""

from django.urls import path

from okienko.portal import appointment_views

urlpatterns = [
    path("konto/wizyty/", appointment_views.list_view, name="appointments"),
    path("konto/wizyty/umow/", appointment_views.book_view, name="appointments_book"),
    path("konto/wizyty/<uuid:uuid>/odwolaj/", appointment_views.cancel_view, name="appointments_cancel"),
]

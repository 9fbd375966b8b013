"""Trainings and job fairs on the portal (issue 19, item 7): included by ``portal/urls.py``."""

from django.urls import path

from okienko.portal import events_views as views

urlpatterns = [
    path("szkolenia/", views.trainings_view, name="trainings"),
    path("szkolenia/<uuid:uuid>/", views.training_view, name="training"),
    path("wydarzenia/", views.events_view, name="events"),
    path("wydarzenia/<uuid:uuid>/", views.event_view, name="event"),
    path("wydarzenia/wypisz/<str:token>/", views.unsubscribe_view, name="events_unsubscribe"),
    path("konto/zapisy/<uuid:uuid>/anuluj/", views.cancel_view, name="event_registration_cancel"),
]

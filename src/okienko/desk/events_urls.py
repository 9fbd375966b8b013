"""Trainings and job fairs on the desk (issue 19, item 7), under ``/desk/jobs/events/``."""

from django.urls import path

from okienko.desk import events_views as views

T = {"kind": "training"}
E = {"kind": "event"}

urlpatterns = [
    path("jobs/events/", views.list_view, name="jobs_events"),
    path("jobs/events/trainings/new/", views.new_view, T, name="jobs_training_new"),
    path("jobs/events/trainings/<uuid:uuid>/", views.item_view, T, name="jobs_training"),
    path("jobs/events/trainings/<uuid:uuid>/registrations/", views.registrations_view, T, name="jobs_training_regs"),
    path("jobs/events/trainings/<uuid:uuid>/registrations.csv", views.csv_view, T, name="jobs_training_csv"),
    path("jobs/events/events/new/", views.new_view, E, name="jobs_event_new"),
    path("jobs/events/events/<uuid:uuid>/", views.item_view, E, name="jobs_event"),
    path("jobs/events/events/<uuid:uuid>/registrations/", views.registrations_view, E, name="jobs_event_regs"),
    path("jobs/events/events/<uuid:uuid>/registrations.csv", views.csv_view, E, name="jobs_event_csv"),
]

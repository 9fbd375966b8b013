"""The labour office's registry of the unemployed (Kontraktor, issue 17), under ``/desk/registry/``
(included from ``desk.urls``, so the names are ``desk:registry_…``)."""

from django.urls import path

from okienko.desk import registry_views as views

urlpatterns = [
    path("registry/", views.people_view, name="registry_people"),
    path("registry/people/<int:pk>/", views.person_view, name="registry_person"),
    path("registry/imports/", views.imports_view, name="registry_imports"),
    path("registry/imports/<int:pk>/", views.import_view, name="registry_import"),
    path("registry/imports/<int:pk>/rejections.csv", views.rejections_csv_view, name="registry_rejections_csv"),
]

"""The desk's ad hoc report builder (issue 20, item 5) under ``/desk/reports/builder/``."""

from django.urls import path

from okienko.reports import adhoc_views as views

app_name = "reports_builder"
urlpatterns = [
    path("", views.builder_view, name="builder"),
    path("raport.<str:fmt>", views.export_view, name="export"),
    path("exports/", views.start_export_view, name="start_export"),
    path("exports/<uuid:job>/", views.job_view, name="job"),
    path("exports/<uuid:job>/progress/", views.job_progress_view, name="progress"),
    path("exports/<uuid:job>/cancel/", views.job_cancel_view, name="cancel"),
    path("exports/<uuid:job>/download/", views.job_download_view, name="download"),
    path("saved/", views.saved_list_view, name="saved"),
    path("saved/<int:pk>/", views.saved_edit_view, name="edit"),
    path("saved/<int:pk>/delete/", views.saved_delete_view, name="delete"),
    path("saved/<int:pk>/duplicate/", views.saved_duplicate_view, name="duplicate"),
]

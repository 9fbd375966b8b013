"""The desk's qualitative report (issue 20, item 3): the table, the cases behind a count, the export."""

from django.urls import path

from okienko.reports import quality_views as views

app_name = "reports_quality"
urlpatterns = [
    path("", views.quality_view, name="quality"),
    path("cases/", views.quality_cases_view, name="cases"),
    path("quality.<str:fmt>", views.quality_export_view, name="export"),
]

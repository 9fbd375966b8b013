"""The desk's export of cases for analysis (issue 20, item 5)."""

from django.urls import path

from okienko.reports import export_views as views

app_name = "reports_export"
urlpatterns = [
    path("", views.export_view, name="export"),
    path("sprawy.<str:fmt>", views.download_view, name="download"),
]

"""The desk's qualitative report (issue 20, item 3)."""

from django.urls import path

from okienko.reports import quality_views as views

app_name = "reports_quality"
urlpatterns = [path("", views.quality_view, name="quality")]

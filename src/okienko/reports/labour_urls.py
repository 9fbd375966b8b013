"""The desk's labour-office and Kontraktor figures (issue 20, item 8)."""

from django.urls import path

from okienko.reports import labour_views as views

app_name = "reports_labour"
urlpatterns = [path("", views.labour_view, name="labour")]

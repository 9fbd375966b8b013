"""The management dashboard on the desk (issue 20, item 2), under ``/desk/reports/``."""

from django.urls import path

from okienko.desk import reports_views as views

urlpatterns = [path("reports/", views.dashboard_view, name="reports")]

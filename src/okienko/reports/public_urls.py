"""Public statistics and open data (issue 20, item 7): no sign-in."""

from django.urls import include, path, re_path

from okienko.reports import public_views as views

app_name = "reports_public"
urlpatterns = [
    path("statystyki/", views.statistics_view, name="statistics"),
    path("dane-otwarte/", views.open_data_view, name="open_data"),
    re_path(
        r"^dane-otwarte/zgloszenia-(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})\.(?P<fmt>csv|json)$",
        views.open_data_file_view,
        name="open_data_file",
    ),
    path("", include("okienko.reports.map_urls")),
]

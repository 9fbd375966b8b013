"""Mounted at the site root: Open311 GeoReport v2 under ``open311/v2/``."""

from typing import Any

from django.urls import include, path

app_name = "integrations"
urlpatterns: list[Any] = [
    path("open311/v2/", include("okienko.integrations.open311.urls")),
]

"""The public map of recent requests (issue 20, items 4 and 7): no sign-in."""

from django.urls import path

from okienko.reports import map_views as views

urlpatterns = [
    path("mapa-zgloszen/", views.map_view, name="map"),
    path("mapa-zgloszen/lista/", views.map_list_view, name="map_list"),
    path("mapa-zgloszen/dane.geojson", views.map_data_view, name="map_data"),
]

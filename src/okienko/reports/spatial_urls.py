"""The desk's spatial reports (issue 20, item 4), under ``/desk/reports/map/``."""

from django.urls import path

from okienko.reports import area_views
from okienko.reports import spatial_views as views

app_name = "reports_map"
urlpatterns = [
    path("", views.map_view, name="map"),
    path("cells.json", views.cells_view, name="cells"),
    path("regions.json", views.regions_view, name="regions"),
    path("powiaty.geojson", views.powiat_boundaries_view, name="powiaty"),
    path("wojewodztwa.geojson", views.voivodeship_boundaries_view, name="wojewodztwa"),
    path("obszary.geojson", views.area_boundaries_view, name="areas"),
    path("obszary/", area_views.areas_view, name="area_import"),
    path("obszary/odrzucone.csv", area_views.rejections_csv_view, name="area_rejections"),
]

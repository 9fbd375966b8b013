from __future__ import annotations

from django.urls import path

from okienko.cases import geo_views, intake_views, publication_views, views

app_name = "cases"
urlpatterns = [
    path("", views.queue_view, {"scope": "mine"}, name="mine"),
    path("team/", views.queue_view, {"scope": "team"}, name="team"),
    path("scope/", views.scope_view, name="scope"),
    path("filters/save/", views.save_filter_view, name="save_filter"),
    path("filters/<int:pk>/", views.saved_filter_view, name="saved_filter"),
    path("bulk-assign/", views.bulk_assign_view, name="bulk_assign"),
    path("new/", intake_views.intake_view, name="new"),
    path("new/duplicates/", intake_views.duplicates_view, name="duplicates"),
    path("geo/<slug:name>.geojson", intake_views.geo_view, name="geo"),
    path("geo/places/", geo_views.geocode_view, name="geocode"),
    path("files/<uuid:file_uuid>/", views.download_view, name="download"),
    path("<uuid:case_uuid>/", views.detail_view, name="detail"),
    path("<uuid:case_uuid>/status/", views.transition_view, name="transition"),
    path("<uuid:case_uuid>/note/", views.note_view, name="note"),
    path("<uuid:case_uuid>/party/", views.party_view, name="party"),
    path("<uuid:case_uuid>/split/", views.split_view, name="split"),
    path("<uuid:case_uuid>/merge/", views.merge_view, name="merge"),
    path("<uuid:case_uuid>/assign/", views.assign_view, name="assign"),
    path("<uuid:case_uuid>/attach/", views.attach_view, name="attach"),
    path("<uuid:case_uuid>/reply-preview/", views.reply_preview_view, name="reply_preview"),
    path("<uuid:case_uuid>/publication/", publication_views.publication_view, name="publication"),
]

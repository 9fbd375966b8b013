from django.urls import path

from okienko.interactions import views

app_name = "interactions"
urlpatterns = [
    path("new/", views.record_view, name="record"),
    path("letter/", views.paper_view, name="paper"),
    path("scans/<str:scan_uuid>/", views.scan_view, name="scan"),
    path("callbacks/", views.callbacks_view, name="callbacks"),
    path("callbacks/new/", views.callback_new_view, name="callback_new"),
    path("callbacks/<str:callback_uuid>/close/", views.callback_close_view, name="callback_close"),
]

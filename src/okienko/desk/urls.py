from django.urls import path

from okienko.desk import audit_views, organisation_views, search_views, views

app_name = "desk"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("search/", search_views.search_view, name="search"),
    path("audit/", audit_views.audit_log_view, name="audit_log"),
    path("organisations/", organisation_views.organisation_list_view, name="organisations"),
    path("organisations/<slug:code>/", organisation_views.organisation_detail_view, name="organisation"),
]

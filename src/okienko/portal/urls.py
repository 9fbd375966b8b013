from django.urls import include, path

from okienko.portal import accessibility, jobs_views, lookup_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("zglos/", views.services_view, name="services"),
    path("zglos/podpowiedzi", views.suggestions_view, name="suggestions"),
    path("zglos/pomoglo", views.deflect_view, name="deflect"),
    path("zglos/dziekujemy", views.deflected_view, name="deflected"),
    path("zglos/przyjete", views.report_sent_view, name="report_sent"),
    path("zglos/mapa/powiaty.geojson", views.boundaries_view, name="boundaries"),
    path("zglos/mapa/miejsca", views.geocode_view, name="geocode"),
    path("zglos/miejsce/", views.place_view, name="place"),
    path("zglos/<uuid:service_id>/", views.report_view, name="report"),
    path("sprawy/sprawdz/", lookup_views.lookup_view, name="lookup"),
    path("sprawy/moje/", lookup_views.my_reports_request_view, name="my_reports_request"),
    path("sprawy/moje/<str:token>/", lookup_views.my_reports_view, name="my_reports"),
    path("sprawy/<uuid:public_id>/", views.case_status_view, name="case_status"),
    path("deklaracja-dostepnosci/", accessibility.statement_view, name="accessibility"),
    path("", include("okienko.portal.account_urls")),
    path("", include("okienko.portal.alert_urls")),
    path("", include("okienko.portal.appointment_urls")),
    path("", include("okienko.portal.application_urls")),
    path("", include("okienko.portal.events_urls")),
    path("", include("okienko.portal.team_urls")),
    path("oferty/", jobs_views.offers_view, name="job_offers"),
    path("oferty/<uuid:uuid>/", jobs_views.offer_view, name="job_offer"),
]

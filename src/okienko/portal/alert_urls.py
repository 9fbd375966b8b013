"""Saved searches and alerts, offers matching my CV, employers' offers (issue 19): included by
``portal/urls.py``."""

from django.urls import path

from okienko.portal import alert_views, employer_views

urlpatterns = [
    path("konto/alerty/", alert_views.alerts_view, name="alerts"),
    path("konto/alerty/<uuid:uuid>/usun/", alert_views.delete_view, name="alerts_delete"),
    path("konto/oferty-dla-mnie/", alert_views.matching_offers_view, name="matching_offers"),
    path("alerty/wypisz/<str:token>/", alert_views.unsubscribe_view, name="alerts_unsubscribe"),
    path("konto/oferty/", employer_views.offers_view, name="employer_offers"),
    path("konto/oferty/nowa/", employer_views.new_offer_view, name="employer_offer_new"),
    path("konto/oferty/<uuid:uuid>/", employer_views.offer_view, name="employer_offer"),
    path("konto/oferty/<uuid:uuid>/wycofaj/", employer_views.withdraw_view, name="employer_offer_withdraw"),
    path(
        "konto/oferty/<uuid:uuid>/kandydaci/", employer_views.matching_candidates_view, name="employer_offer_candidates"
    ),
]

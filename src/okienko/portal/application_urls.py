"""Applications for job offers and the CV document (issue 19): included by ``portal/urls.py``."""

from django.urls import path

from okienko.portal import application_views as views

urlpatterns = [
    path("oferty/<uuid:uuid>/aplikuj/", views.apply_view, name="job_offer_apply"),
    path("konto/aplikacje/", views.applications_view, name="applications"),
    path("konto/aplikacje/<uuid:uuid>/wycofaj/", views.withdraw_view, name="application_withdraw"),
    path("konto/cv/dokument/", views.cv_file_view, name="cv_file"),
    path("konto/cv/dokument/pobierz/", views.cv_file_download_view, name="cv_file_download"),
    path("konto/cv/dokument/usun/", views.cv_file_delete_view, name="cv_file_delete"),
    path("konto/oferty/<uuid:uuid>/zgloszenia/", views.offer_applications_view, name="employer_offer_applications"),
    path("konto/zgloszenia/<uuid:uuid>/", views.employer_application_view, name="employer_application"),
    path("konto/zgloszenia/<uuid:uuid>/odpowiedz/", views.employer_answer_view, name="employer_application_answer"),
    path("konto/zgloszenia/<uuid:uuid>/dokument/", views.employer_cv_file_view, name="employer_application_file"),
]

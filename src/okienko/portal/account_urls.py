"""Portal accounts, CVs and the candidate search (issue 19): included by ``portal/urls.py``."""

from django.urls import path

from okienko.portal import account_views, totp_views

urlpatterns = [
    path("konto/", account_views.account_view, name="account"),
    path("konto/logowanie/", account_views.signin_view, name="account_signin"),
    path("konto/logowanie/kod/", totp_views.signin_code_view, name="account_signin_code"),
    path("konto/weryfikacja-dwuetapowa/", totp_views.setup_view, name="account_totp"),
    path("konto/wyloguj/", account_views.signout_view, name="account_signout"),
    path("konto/rejestracja/", account_views.register_view, name="account_register"),
    path("konto/rejestracja/pracodawca/", account_views.register_employer_view, name="account_register_employer"),
    path("konto/potwierdz/<str:token>/", account_views.verify_view, name="account_verify"),
    path("konto/moje-dane.json", account_views.my_data_view, name="account_data"),
    path("konto/usuniecie/", account_views.delete_request_view, name="account_delete"),
    path("konto/cv/", account_views.cv_view, name="account_cv"),
    path("konto/cv/zgoda/", account_views.consent_view, name="account_consent"),
    path("konto/prosby/<uuid:uuid>/", account_views.answer_request_view, name="account_answer"),
    path("konto/kandydaci/", account_views.candidates_view, name="account_candidates"),
    path("konto/kandydaci/<uuid:uuid>/", account_views.candidate_view, name="account_candidate"),
]

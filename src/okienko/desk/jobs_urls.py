"""Job offers on the desk (issue 19), under ``/desk/jobs/`` (names ``desk:jobs_…``)."""

from django.urls import path

from okienko.desk import jobs_views as views

urlpatterns = [
    path("jobs/moderation/", views.moderation_view, name="jobs_moderation"),
    path("jobs/offers/new/", views.new_offer_view, name="jobs_new_offer"),
    path("jobs/offers/<uuid:uuid>/", views.offer_view, name="jobs_offer"),
    path("jobs/employers/", views.employers_view, name="jobs_employers"),
    path("jobs/employers/<uuid:uuid>/status", views.employer_status_view, name="jobs_employer_status"),
    path("jobs/portal-accounts/<int:pk>/totp-reset", views.portal_totp_reset_view, name="jobs_portal_totp_reset"),
    path("jobs/export/cbop.json", views.cbop_export_view, name="jobs_cbop_export"),
]

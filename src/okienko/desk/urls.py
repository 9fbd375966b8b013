from django.urls import include, path

from okienko.desk import audit_views, eform_views, inbox_views, mail_views, organisation_views, search_views, views

app_name = "desk"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("search/", search_views.search_view, name="search"),
    path("audit/", audit_views.audit_log_view, name="audit_log"),
    path("inbox/", inbox_views.inbox_view, name="inbox"),
    path("mail/", mail_views.mail_queue_view, name="mail_queue"),
    path("mail/<int:pk>/", mail_views.mail_detail_view, name="mail_detail"),
    path("mail/<int:pk>/raw", mail_views.mail_raw_view, name="mail_raw"),
    path("mail/<int:pk>/files/<uuid:file_uuid>", mail_views.mail_file_view, name="mail_file"),
    path("eforms/", eform_views.eform_list_view, name="eforms"),
    path("eforms/<int:pk>/receipt", eform_views.eform_receipt_view, name="eform_receipt"),
    path("eforms/<int:pk>/document", eform_views.eform_raw_view, name="eform_raw"),
    path("eforms/<int:pk>/retry", eform_views.eform_retry_view, name="eform_retry"),
    path("organisations/", organisation_views.organisation_list_view, name="organisations"),
    path("organisations/<slug:code>/", organisation_views.organisation_detail_view, name="organisation"),
    path("", include("okienko.desk.media_urls")),
    path("", include("okienko.desk.registry_urls")),
    path("", include("okienko.desk.contracting_urls")),
    path("", include("okienko.desk.exchange_urls")),
    path("", include("okienko.desk.jobs_urls")),
    path("", include("okienko.desk.events_urls")),
    path("", include("okienko.desk.appointment_urls")),
    path("", include("okienko.desk.reports_urls")),
]

"""Kontraktor on the desk (issue 17), under ``/desk/contracts/`` (included from ``desk.urls``, so
the names are ``desk:contracting_…``). Contracts, requests and settlements are named by UUID and
participants by their pseudonymous reference, as across institutions."""

from django.urls import path

from okienko.desk import contracting_closing_views as closing
from okienko.desk import contracting_money_views as money
from okienko.desk import contracting_views as views

C = "contracts/<uuid:contract_uuid>/"
P = C + "participants/<str:ref>/"

urlpatterns = [
    path("contracts/", views.contracts_view, name="contracting_contracts"),
    path(C, views.contract_view, name="contracting_contract"),
    path(C + "status/", views.contract_status_view, name="contracting_contract_status"),
    path(C + "nominate/", views.nominate_view, name="contracting_nominate"),
    path(C + "requests/new/", views.new_request_view, name="contracting_new_request"),
    path(C + "requests/<uuid:request_uuid>/", views.request_view, name="contracting_request"),
    path(C + "requests/<uuid:request_uuid>/action/", views.request_action_view, name="contracting_request_action"),
    path(P, views.participant_view, name="contracting_participant"),
    path(P + "status/", views.participant_status_view, name="contracting_participant_status"),
    path(P + "events/", views.event_view, name="contracting_event"),
    path(P + "events/<uuid:event_uuid>/evidence/", views.evidence_view, name="contracting_evidence"),
    path(P + "placements/", views.placement_view, name="contracting_placement"),
    path(P + "checks/<int:check_id>/", views.check_view, name="contracting_check"),
    path(P + "access-log/", views.access_log_view, name="contracting_access_log"),
    path(C + "settlement/", money.settlement_view, name="contracting_settlement"),
    path(C + "settlement/refresh/", money.refresh_view, name="contracting_refresh"),
    path(C + "settlement/open/", money.open_settlement_view, name="contracting_open_settlement"),
    path(C + "settlement/lines/<int:line_id>/", money.line_view, name="contracting_line"),
    path(C + "settlements/<uuid:settlement_uuid>/", money.settlement_action_view, name="contracting_settlement_action"),
    path(
        C + "settlements/<uuid:settlement_uuid>/report.csv",
        money.settlement_csv_view,
        name="contracting_settlement_csv",
    ),
    path(
        C + "settlements/<uuid:settlement_uuid>/report.pdf",
        money.settlement_pdf_view,
        name="contracting_settlement_pdf",
    ),
    path(C + "closing/", closing.closing_view, name="contracting_closing"),
    path(C + "resync/", closing.resync_view, name="contracting_resync"),
    path(
        C + "certificates/<uuid:certificate_uuid>.<str:fmt>",
        closing.certificate_view,
        name="contracting_certificate",
    ),
    path(C + "messages/", money.messages_view, name="contracting_messages"),
    path(C + "report.csv", money.report_csv_view, name="contracting_report_csv"),
    path(C + "report.pdf", money.report_pdf_view, name="contracting_report_pdf"),
]

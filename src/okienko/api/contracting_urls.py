"""Kontraktor's REST API (``/api/v1/contracting/``, ``api.views.contracting``)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from okienko.api.views import contracting as v

C = "contracts/<uuid:contract_uuid>/"
P = C + "participants/<str:ref>/"
L = C + "tranches/<str:ref>/<int:order>/"
R = C + "sharing-requests/<uuid:request_uuid>/"
S = C + "settlements/<uuid:settlement_uuid>/"

urlpatterns: list[Any] = [
    path("contracts/", v.ContractListView.as_view(), name="contracting-contracts"),
    path(C, v.ContractDetailView.as_view(), name="contracting-contract"),
    path(C + "transition/", v.ContractTransitionView.as_view(), name="contracting-contract-transition"),
    path(C + "participants/", v.ParticipantListView.as_view(), name="contracting-participants"),
    path(P, v.ParticipantDetailView.as_view(), name="contracting-participant"),
    path(P + "transition/", v.ParticipantTransitionView.as_view(), name="contracting-participant-transition"),
    path(P + "agency-records/", v.AgencyRecordsView.as_view(), name="contracting-agency-records"),
    path(P + "events/", v.EventListView.as_view(), name="contracting-events"),
    path(P + "placements/", v.PlacementListView.as_view(), name="contracting-placements"),
    path(
        P + "placements/<uuid:placement_uuid>/checks/<int:days>/",
        v.RetentionCheckView.as_view(),
        name="contracting-retention-check",
    ),
    path(C + "tranches/", v.TrancheLineListView.as_view(), name="contracting-tranches"),
    path(L + "claim/", v.ClaimView.as_view(), name="contracting-tranche-claim"),
    path(L + "verify/", v.VerifyView.as_view(), name="contracting-tranche-verify"),
    path(L + "dispute/", v.DisputeView.as_view(), name="contracting-tranche-dispute"),
    path(C + "settlements/", v.SettlementListView.as_view(), name="contracting-settlements"),
    path(S, v.SettlementDetailView.as_view(), name="contracting-settlement"),
    path(S + "submit/", v.SubmitSettlementView.as_view(), name="contracting-settlement-submit"),
    path(S + "return/", v.ReturnSettlementView.as_view(), name="contracting-settlement-return"),
    path(S + "accept/", v.AcceptSettlementView.as_view(), name="contracting-settlement-accept"),
    path(S + "pay/", v.PaySettlementView.as_view(), name="contracting-settlement-pay"),
    path(C + "messages/", v.MessageListView.as_view(), name="contracting-messages"),
    path(C + "messages/read/", v.MarkReadView.as_view(), name="contracting-messages-read"),
    path(C + "sharing-requests/", v.SharingRequestListView.as_view(), name="contracting-sharing-requests"),
    path(R + "submit/", v.SubmitSharingRequestView.as_view(), name="contracting-sharing-request-submit"),
    path(R + "decide/", v.DecideSharingRequestView.as_view(), name="contracting-sharing-request-decide"),
]

from __future__ import annotations

from django.urls import re_path

from okienko.integrations.open311 import updates, views

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, views.services, name="open311-services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, views.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, views.requests_view, name="open311-requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FMT, views.request_detail, name="open311-request"),
    re_path(r"^requests/(?P<request_id>[^/]+?)/updates" + FMT, updates.request_updates, name="open311-request-updates"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="open311-token"),
    re_path(r"^(?P<rest>.*?)" + FMT, views.not_found),
]

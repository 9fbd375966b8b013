"""REST API v1 (mounted at ``/api/v1/``) with its OpenAPI document and browsable docs.

Swagger UI is served with its init script as a separate file (strict CSP, assets from the
sidecar package). ReDoc is not offered: it needs inline styles and loads web fonts from a CDN."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from okienko.api import problems
from okienko.api.views.accounts import OrganisationViewSet, UserViewSet
from okienko.api.views.adhoc_reports import AdhocReportView
from okienko.api.views.appointments import AppointmentViewSet, ScheduleViewSet
from okienko.api.views.cases import CaseViewSet
from okienko.api.views.catalogue import CategoryViewSet, ServiceViewSet
from okienko.api.views.directory import ClientViewSet, InteractionViewSet
from okienko.api.views.eforms import EFormSubmissionView
from okienko.api.views.job_events import EventViewSet, TrainingViewSet
from okienko.api.views.job_seekers import ApplicationViewSet, CVViewSet
from okienko.api.views.jobs import JobOfferViewSet
from okienko.api.views.notifications import NotificationTemplateViewSet
from okienko.api.views.reports import CaseReportView, ContactReportView
from okienko.api.views.webhooks import DeliveryViewSet, SubscriptionViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("users", UserViewSet, basename="user")
router.register("cases", CaseViewSet, basename="case")
router.register("clients", ClientViewSet, basename="client")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("catalogue/services", ServiceViewSet, basename="service")
router.register("catalogue/categories", CategoryViewSet, basename="category")
router.register("notifications/templates", NotificationTemplateViewSet, basename="notification-template")
router.register("webhooks/subscriptions", SubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")
router.register("jobs/offers", JobOfferViewSet, basename="job-offer")
router.register("appointments/schedules", ScheduleViewSet, basename="appointment-schedule")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("jobs/trainings", TrainingViewSet, basename="job-training")
router.register("jobs/events", EventViewSet, basename="job-event")
router.register("jobs/cvs", CVViewSet, basename="job-cv")
router.register("jobs/applications", ApplicationViewSet, basename="job-application")

_public: dict[str, Any] = {"permission_classes": [AllowAny], "authentication_classes": []}

urlpatterns: list[Any] = [
    path("schema/", SpectacularAPIView.as_view(**_public), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html", **_public),
        name="docs",
    ),
    path("eforms/submissions/", EFormSubmissionView.as_view(), name="eform-submissions"),
    path("contracting/", include("okienko.api.contracting_urls")),
    path("reports/cases/", CaseReportView.as_view(), name="report-cases"),
    path("reports/contacts/", ContactReportView.as_view(), name="report-contacts"),
    path("reports/adhoc/", AdhocReportView.as_view(), name="report-adhoc"),
    path("", include(router.urls)),
    re_path(r"^.*$", problems.not_found, name="not-found"),
]

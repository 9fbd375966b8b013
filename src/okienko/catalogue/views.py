"""Read-only desk pages of the service catalogue: search services, read one service."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from okienko.accounts import access
from okienko.catalogue.models import Service, ServiceQuerySet


def _services_for(request: HttpRequest) -> ServiceQuerySet:
    """Services of every jurisdiction the user works in (their organisations and those above them)."""
    orgs = access.switchable_organisations(request.user)
    if getattr(request.user, "is_superuser", False):
        return Service.objects.all()
    ids: set[int] = set()
    for org in orgs:
        ids.add(org.pk)
        ids.update(org.ancestors().values_list("pk", flat=True))
    return Service.objects.filter(organisation__in=ids)


def search_services(qs: ServiceQuerySet, query: str) -> ServiceQuerySet:
    return qs.search(query)


@login_required
def services_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    services = search_services(_services_for(request).active(), query).select_related(
        "category", "organisation", "responsible_unit"
    )
    context = {
        "query": query,
        "services": list(services.order_by("organisation__name", "category__name", "public_name")),
    }
    template = "catalogue/_services.html" if request.headers.get("HX-Request") == "true" else "catalogue/services.html"
    return render(request, template, context)


@login_required
def service_view(request: HttpRequest, service_uuid: UUID) -> HttpResponse:
    service = (
        _services_for(request)
        .select_related("category", "organisation", "responsible_unit")
        .filter(uuid=service_uuid)
        .first()
    )
    if service is None:
        raise Http404("service")
    questions = list(service.questions.prefetch_related("choices"))
    texts = list(service.texts.filter(active=True))
    return render(request, "catalogue/service.html", {"service": service, "questions": questions, "texts": texts})

"""The public map of recent requests: the page, its GeoJSON and the same data as a table (no sign-in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from okienko.core.problems import title as problem_title
from okienko.reports import maps

PROBLEM_BASE = "https://okienko.example/problems/"


def problem(error: maps.MapRequestError, instance: str) -> JsonResponse:
    """A refusal in the problem-details form the API uses (RFC 9457), with the reason's slug."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + error.slug,
        "title": problem_title(400),
        "status": 400,
        "detail": error.detail,
        "instance": instance,
        "reason": error.slug,
    }
    body.update(error.extra)
    return JsonResponse(body, status=400, content_type="application/problem+json")


def _context(request: HttpRequest) -> tuple[dict[str, Any], maps.Filters | None, int]:
    error = None
    try:
        filters: maps.Filters | None = maps.parse_filters(request.GET)
    except maps.MapRequestError as refused:
        filters, error = None, refused
    chosen = filters or maps.Filters()
    area = maps.extent()
    context: dict[str, Any] = {
        "filters": chosen,
        "error": error.detail if error else "",
        "services": list(maps.public_services().values_list("pk", "public_name")),
        "categories": list(maps.public_categories().values_list("pk", "name")),
        "max_days": maps.MAX_DAYS,
        "k": maps.K,
        "open_value": maps.OPEN,
        "closed_value": maps.CLOSED,
        "query": request.GET.urlencode() if filters else "",
        "extent": ",".join(f"{v:.4f}" for v in area),
        "max_zoom": maps.MAX_ZOOM,
        "min_zoom": maps.MIN_ZOOM,
    }
    return context, filters, 400 if error else 200


@require_GET
@cache_control(public=True, max_age=300)
def map_view(request: HttpRequest) -> HttpResponse:
    context, _filters, status = _context(request)
    context["tiles"] = str(getattr(settings, "MAP_TILES", ""))
    context["attribution"] = str(getattr(settings, "MAP_ATTRIBUTION", ""))
    return render(request, "reports/public_map.html", context, status=status)


@require_GET
@cache_control(public=True, max_age=300)
def map_list_view(request: HttpRequest) -> HttpResponse:
    context, filters, status = _context(request)
    context["lines"] = maps.list_lines(filters) if filters else []
    context["total"] = sum(line.count for line in context["lines"])
    context["capped"] = len(context["lines"]) >= maps.MAX_FEATURES
    return render(request, "reports/public_map_list.html", context, status=status)


@require_GET
@cache_control(public=True, max_age=300)
def map_data_view(request: HttpRequest) -> JsonResponse:
    instance = reverse("reports_public:map_data")
    try:
        filters = maps.parse_filters(request.GET)
        view = maps.parse_view(request.GET)
    except maps.MapRequestError as refused:
        return problem(refused, instance)
    return JsonResponse(maps.geojson(filters, view), content_type="application/geo+json")

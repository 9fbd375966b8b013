"""The desk's spatial reports (issue 20, item 4): the map page, its JSON data and boundaries.

For readers with ``reports.view`` (403 for anyone else), counting the cases of their scope only.
Bad filters, boxes or zooms answer 400 with a problem-details reason (JSON) or the form's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.reports import areas, hotspots, maps, spatial
from okienko.reports.area_models import AreaKind
from okienko.reports.forms import PeriodForm
from okienko.reports.map_views import problem
from okienko.reports.rollups import local_day


def reader_scope(request: HttpRequest) -> list[int]:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not scope:
        raise PermissionDenied(Perm.REPORTS_VIEW)
    return scope


def _today() -> dt.date:
    return local_day(clock.now())


@login_required
@require_GET
def map_view(request: HttpRequest) -> HttpResponse:
    scope = reader_scope(request)
    today = _today()
    error = ""
    try:
        filters = spatial.parse_filters(request.GET, scope, today)
    except maps.MapRequestError as refused:
        error = refused.detail
        filters = spatial.parse_filters({}, scope, today)
    table = spatial.regions(scope, filters, "powiat") if not error else None
    voivodeships = spatial.regions(scope, filters, "voivodeship") if not error else None
    services = list(spatial.services_in(scope).values_list("pk", "public_name")[:500])
    kinds = areas.kinds_in(scope)
    area_tables = [_area_table(scope, filters, kind) for kind in kinds] if not error else []
    for area_table in area_tables:
        area_table["label"] = AREA_TABLES[area_table["kind"]]()
    form = PeriodForm(
        {"since": request.GET.get("since", "")[:20], "until": request.GET.get("until", "")[:20]}
        if error
        else {"since": filters.since, "until": filters.until}
    )
    form.is_valid()
    context: dict[str, Any] = {
        "here": "map",
        "form": form,
        "error": error,
        "filters": filters,
        "services": services,
        "layers": [
            (spatial.EVENT, _label("event")),
            (spatial.RESIDENCE, _label("residence")),
            (spatial.REPORTING, _label("reporting")),
        ],
        "open_value": maps.OPEN,
        "closed_value": maps.CLOSED,
        "table": table,
        "voivodeships": voivodeships,
        "area_modes": [(f"area:{kind}", AREA_MODES[kind]()) for kind in kinds],
        "area_tables": area_tables,
        "can_import_areas": access.has_perm_anywhere(request.user, Perm.CONFIGURE),
        "query": "&".join(f"{k}={v}" for k, v in filters.query().items()),
        "extent": ",".join(f"{v:.4f}" for v in maps.extent()),
        "min_zoom": spatial.MIN_ZOOM,
        "max_zoom": spatial.MAX_ZOOM,
        "tiles": str(getattr(settings, "MAP_TILES", "")),
        "attribution": str(getattr(settings, "MAP_ATTRIBUTION", "")),
        "hotspots": list(hotspots.recent(scope)),
        "min_count": hotspots.MIN_COUNT,
        "weeks": hotspots.WEEKS,
    }
    return render(request, "reports/desk_map.html", context, status=400 if error else 200)


AREA_MODES: dict[str, Callable[[], str]] = {
    AreaKind.DISTRICT: lambda: _("City districts (shades)"),
    AreaKind.OSIEDLE: lambda: _("Osiedla (shades)"),
    AreaKind.GMINA: lambda: _("Gminy (shades)"),
    AreaKind.OTHER: lambda: _("Other areas (shades)"),
}
AREA_TABLES: dict[str, Callable[[], str]] = {
    AreaKind.DISTRICT: lambda: _("By city district"),
    AreaKind.OSIEDLE: lambda: _("By osiedle"),
    AreaKind.GMINA: lambda: _("By gmina (imported areas)"),
    AreaKind.OTHER: lambda: _("By other imported area"),
}


def _area_table(scope: list[int], filters: spatial.Filters, kind: str) -> dict[str, Any]:
    stamp = areas.stamp(scope, kind)
    return spatial.cached(
        "regions", scope, filters, f"area|{kind}|{stamp}", lambda: spatial.area_regions(scope, filters, kind)
    )


def _label(layer: str) -> str:
    return {
        "event": _("Place of the event"),
        "residence": _("Client's residence"),
        "reporting": _("Place of reporting"),
    }[layer]


def _json(request: HttpRequest, name: str) -> tuple[list[int], spatial.Filters] | JsonResponse:
    scope = reader_scope(request)
    try:
        return scope, spatial.parse_filters(request.GET, scope, _today())
    except maps.MapRequestError as refused:
        return problem(refused, reverse(name))


@login_required
@require_GET
@cache_control(private=True, max_age=60)
def cells_view(request: HttpRequest) -> JsonResponse:
    found = _json(request, "reports_map:cells")
    if isinstance(found, JsonResponse):
        return found
    scope, filters = found
    try:
        view = spatial.snapped(spatial.parse_view(request.GET))
    except maps.MapRequestError as refused:
        return problem(refused, reverse("reports_map:cells"))
    body = spatial.cached(
        "cells", scope, filters, f"{view.zoom}|{view.bbox}", lambda: spatial.cells(scope, filters, view)
    )
    return JsonResponse(body, content_type="application/geo+json")


@login_required
@require_GET
@cache_control(private=True, max_age=60)
def regions_view(request: HttpRequest) -> JsonResponse:
    found = _json(request, "reports_map:regions")
    if isinstance(found, JsonResponse):
        return found
    scope, filters = found
    level = (request.GET.get("level") or "powiat").strip()[:20]
    if level not in spatial.LEVELS:
        refused = maps.MapRequestError("invalid-level", _level_error(), parameter="level")
        return problem(refused, reverse("reports_map:regions"))
    if level == spatial.AREA:
        kind = area_kind(request, scope)
        if isinstance(kind, maps.MapRequestError):
            return problem(kind, reverse("reports_map:regions"))
        return JsonResponse(_area_table(scope, filters, kind))
    body = spatial.cached("regions", scope, filters, level, lambda: spatial.regions(scope, filters, level))
    return JsonResponse(body)


def _level_error() -> str:
    return _("The level may be “powiat”, “voivodeship” or “area”.")


def area_kind(request: HttpRequest, scope: list[int]) -> str | maps.MapRequestError:
    """The kind of imported areas asked for (default: the first the scope has), or the refusal."""
    kinds = areas.kinds_in(scope)
    if not kinds:
        return maps.MapRequestError(
            "no-areas", _("No areas have been imported for the offices in your reports."), parameter="level"
        )
    kind = (request.GET.get("kind") or "").strip()[:20] or kinds[0]
    if kind not in kinds:
        return maps.MapRequestError("unknown-kind", _("There are no such areas in your reports."), parameter="kind")
    return kind


def _boundaries(request: HttpRequest, level: str) -> HttpResponse:
    """The shipped boundaries, gzipped when the browser accepts it (a third of the size)."""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(spatial.boundaries_gzip(level), content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(spatial.boundaries(level), content_type="application/geo+json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@login_required
@require_GET
@cache_control(private=True, max_age=86400)
def powiat_boundaries_view(request: HttpRequest) -> HttpResponse:
    reader_scope(request)
    return _boundaries(request, "powiat")


@login_required
@require_GET
@cache_control(private=True, max_age=300)
def area_boundaries_view(request: HttpRequest) -> HttpResponse:
    """The imported areas of the organisations in the reader's scope (ADR 0071), thinned."""
    scope = reader_scope(request)
    kind = area_kind(request, scope)
    if isinstance(kind, maps.MapRequestError):
        return problem(kind, reverse("reports_map:areas"))
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(spatial.area_boundaries_gzip(scope, kind), content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(spatial.area_boundaries(scope, kind), content_type="application/geo+json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@login_required
@require_GET
@cache_control(private=True, max_age=86400)
def voivodeship_boundaries_view(request: HttpRequest) -> HttpResponse:
    reader_scope(request)
    return _boundaries(request, "voivodeship")

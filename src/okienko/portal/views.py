"""The public site: home page, the residents' report form with knowledge-base deflection, and
the public status page of a case."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from okienko.accounts.models import Organisation
from okienko.cases.geo_views import map_settings, territory_of
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case
from okienko.cases.publication import description_of
from okienko.cases.workflow import public_status
from okienko.catalogue.models import Service, ServiceQuestion
from okienko.core import geocoding, reference
from okienko.knowledge.models import Article
from okienko.knowledge.search import search
from okienko.portal import actions, guard
from okienko.portal.forms import FORM_ID, ReportForm
from okienko.portal.status import public_timeline

SUGGESTIONS = 5
MIN_SUGGEST_CHARS = 8
SESSION_SUBMITTED = "portal_submitted"


def home_view(request: HttpRequest) -> HttpResponse:
    offices = Organisation.objects.active().filter(
        kind__in=[Organisation.Kind.REGION_OFFICE, Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.CITY]
    )
    return render(request, "portal/home.html", {"offices": offices})


def _public_services() -> Any:
    return Service.objects.public().select_related("organisation", "category")


def _place_from(params: Any) -> dict[str, str]:
    """A place chosen before the matter (the map-first path): ``lat``, ``lon`` and ``adres``,
    kept only when they make sense, to be carried into the report form."""
    place: dict[str, str] = {}
    try:
        lat, lon = float(str(params.get("lat", ""))[:20]), float(str(params.get("lon", ""))[:20])
    except ValueError:
        pass
    else:
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            place.update(lat=f"{lat:.6f}", lon=f"{lon:.6f}")
    address = " ".join(str(params.get("adres", "")).split())[:300]
    if address:
        place["adres"] = address
    return place


def services_view(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the matter — search it, open a category tile, or pick the place first.
    Plain links and GET forms: works without script."""
    services = _public_services().order_by("organisation__name", "category__order", "category__name", "order")
    query = " ".join(request.GET.get("q", "").split())[:200]
    chosen = request.GET.get("kategoria", "")[:170]
    place = _place_from(request.GET)
    found = list(services.search(query)[:40]) if query else None
    selected = [s for s in services if f"{s.organisation.code}/{s.category.code}" == chosen] if chosen else []
    offices = [
        (office, [(category, len(list(items))) for category, items in groupby(rows, key=lambda s: s.category)])
        for office, rows in groupby(services, key=lambda s: s.organisation)
    ]
    context = {
        "offices": offices,
        "query": query,
        "found": found,
        "selected": selected,
        "category": selected[0].category if selected else None,
        "place": place,
        "carry": urlencode(place),
    }
    return render(request, "portal/services.html", context)


def place_view(request: HttpRequest) -> HttpResponse:
    """The map-first path: "report at this place" — put the pin (or type the address), then choose the matter."""
    organisations = Organisation.objects.filter(pk__in=_public_services().values("organisation"))
    territory = sorted({code for org in organisations for code in territory_of(org)})
    return render(
        request, "portal/place.html", {"map": geocoding.map_settings(territory), "place": _place_from(request.GET)}
    )


def _service(service_id: UUID) -> Service:
    questions = Prefetch("questions", queryset=ServiceQuestion.objects.prefetch_related("choices"))
    service: Service = get_object_or_404(_public_services().prefetch_related(questions), uuid=service_id)
    return service


def _error_summary(form: ReportForm) -> list[tuple[str, str]]:
    """(anchor, message) for every error, in the order of the fields on the page."""
    summary = [("report-errors", str(message)) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        field = form[name]
        anchor = (
            f"{field.auto_id}_0" if isinstance(field.field.widget, forms.CheckboxSelectMultiple) else field.id_for_label
        )
        summary += [(anchor, f"{field.label}: {message}") for message in errors]
    return summary


def report_view(request: HttpRequest, service_id: UUID) -> HttpResponse:
    """Step 2: describe the matter (suggested answers appear while typing), place, questions, contact."""
    service = _service(service_id)
    if request.method == "POST":
        if guard.limited("report", request):
            return render(request, "portal/limited.html", status=429)
        form = ReportForm(request.POST, request.FILES, service=service)
        if request.POST.get(guard.HONEYPOT):
            guard.count("report", request)
        if not form.is_valid() and "photo" in form.errors:
            guard.count("report", request)  # a refused file costs like a report: no endless retries
        if form.is_valid() and guard.too_fast(form.cleaned_data.get(guard.STARTED, "")):
            form.add_error(None, _("The form was sent too quickly. Check your answers and send it again."))
        if form.is_valid():
            try:
                case = actions.submit_report(
                    service=service,
                    description=form.cleaned_data["description"],
                    location=form.location(),
                    answers=form.answers(),
                    reporter=form.reporter(),
                    contact_consent=bool(form.cleaned_data.get("consent")),
                    photo=form.cleaned_data.get("photo"),
                )
            except CaseInputError as exc:
                if "file" in exc.errors:
                    guard.count("report", request)
                for message in exc.errors.values():
                    form.add_error(None, message)
            else:
                guard.count("report", request)
                request.session[SESSION_SUBMITTED] = str(case.uuid)
                return HttpResponseRedirect(reverse("portal:report_sent"))
        fresh = request.POST.copy()
        fresh[guard.STARTED] = guard.started_token()
        form.data = fresh
    else:
        place = _place_from(request.GET)
        initial = {"latitude": place.get("lat"), "longitude": place.get("lon"), "address": place.get("adres", "")}
        form = ReportForm(service=service, initial={k: v for k, v in initial.items() if v})
    return render(
        request,
        "portal/report.html",
        {
            "service": service,
            "form": form,
            "form_id": FORM_ID,
            "errors": _error_summary(form) if form.is_bound else [],
            "suggestions": _suggest(form.data.get("description", ""), service) if form.is_bound else None,
            "map": map_settings(service.organisation),
        },
    )


def _suggest(text: str, service: Any) -> list[Any]:
    """Up to five public articles of the form's jurisdiction for what the resident has written so
    far (a pothole report in Łódź never suggests a labour office's or another city's answers)."""
    text = " ".join(text.split())[:500]
    if service is None or len(text) < MIN_SUGGEST_CHARS:
        return []
    scope = Article.objects.public().of_jurisdiction(service.organisation)
    return list(search(text, scope=scope, limit=SUGGESTIONS, prefix_last=True).results)


@require_GET
def suggestions_view(request: HttpRequest) -> HttpResponse:
    """HTMX fragment: suggested articles for the description typed so far (not logged as searches)."""
    service = (
        _public_services().filter(uuid=request.GET.get("service", "")).first()
        if _is_uuid(request.GET.get("service", ""))
        else None
    )
    return render(
        request,
        "portal/_suggestions.html",
        {"suggestions": _suggest(request.GET.get("description", ""), service), "service": service},
    )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@require_POST
def deflect_view(request: HttpRequest) -> HttpResponse:
    """ "This answers my question": count the deflection, open no case, say thank you."""
    article_id = request.POST.get("article", "")
    article = Article.objects.public().filter(uuid=article_id).first() if _is_uuid(article_id) else None
    if article is None:
        raise Http404
    service_id = request.POST.get("service", "")
    service = _public_services().filter(uuid=service_id).first() if _is_uuid(service_id) else None
    if not guard.limited("deflect", request):
        guard.count("deflect", request)
        actions.record_deflection(article=article, service=service)
    return HttpResponseRedirect(f"{reverse('portal:deflected')}?artykul={article.uuid}")


def deflected_view(request: HttpRequest) -> HttpResponse:
    article_id = request.GET.get("artykul", "")
    article = Article.objects.public().filter(uuid=article_id).first() if _is_uuid(article_id) else None
    return render(request, "portal/deflected.html", {"article": article})


def report_sent_view(request: HttpRequest) -> HttpResponse:
    """The confirmation after sending: the case number and the link to its status page."""
    case_id = request.session.get(SESSION_SUBMITTED, "")
    case = Case.objects.select_related("service").filter(uuid=case_id).first() if _is_uuid(case_id) else None
    if case is None:
        return HttpResponseRedirect(reverse("portal:services"))
    return render(request, "portal/report_sent.html", {"case": case, "status": public_status(case.status)})


def case_status_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The public status page: service, status in plain words, public timeline, expected date.

    Addressed by the case's random UUID (not its sequential number); shows no personal data, and
    the description only as every public surface does (``cases.publication``, ADR 0042)."""
    case = get_object_or_404(Case.objects.select_related("service"), uuid=public_id)
    context = {"case": case, "status": public_status(case.status), "timeline": public_timeline(case)}
    return render(request, "portal/case_status.html", {**context, "description": description_of(case)})


@require_GET
@cache_control(public=True, max_age=86400)
def boundaries_view(request: HttpRequest) -> HttpResponse:
    """Powiat boundaries (TERYT) for the report map's offline base layer; ``?prefix=10`` is Łódzkie."""
    prefix = request.GET.get("prefix", "")[:7]
    data = reference.boundaries("powiaty", prefix if prefix.isdigit() else "")
    return HttpResponse(data, content_type="application/json")


@require_GET
def geocode_view(request: HttpRequest) -> JsonResponse:
    """The report map's address search (``?q=``) and naming of a clicked point (``?lat=&lon=``);
    ``?service=`` puts the places of that service's office first. Rate-limited per address."""
    if guard.limited("geocode", request):
        return JsonResponse({"error": _("Too many searches. Put the pin on the map, or try again later.")}, status=429)
    guard.count("geocode", request)
    service_id = request.GET.get("service", "")
    service = _public_services().filter(uuid=service_id).first() if _is_uuid(service_id) else None
    territory = territory_of(service.organisation) if service else []
    return geocoding.answer(request.GET, bbox=reference.bbox_of(territory))

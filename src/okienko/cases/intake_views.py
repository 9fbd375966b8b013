"""Intake: open a case from the desk (service search, extra questions, place, duplicates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from okienko.accounts.models import Organisation
from okienko.cases import access, actions, geo_views
from okienko.cases.intake import CaseInputError, distance_m
from okienko.cases.models import Case, Priority
from okienko.cases.workflow import OPEN_STATUSES
from okienko.catalogue.models import Service
from okienko.core import clock, formatting, reference
from okienko.core.choices import Channel
from okienko.core.errors import Message

DUPLICATE_RADIUS_M = 50
DUPLICATE_WINDOW = dt.timedelta(weeks=12)


def _jurisdiction(request: HttpRequest) -> Organisation:
    org = getattr(request, "organisation", None)
    if org is None:
        from okienko.accounts import access as accounts_access

        orgs = accounts_access.switchable_organisations(request.user)
        if not orgs:
            raise PermissionDenied
        org = orgs[0]
    return access.jurisdiction_of(org)


def _services(jurisdiction: Organisation) -> Any:
    return Service.objects.for_organisation(jurisdiction).active().filter(kind=Service.Kind.REQUEST)


def _all_services(jurisdiction: Organisation) -> Any:
    """Requests and inquiries: the search finds both, and an inquiry says it is answered, not registered."""
    return Service.objects.for_organisation(jurisdiction).active()


def _handed_over(interaction: Any, client: Any) -> dict[str, str]:
    """What the consultant already typed on the contact, as the new case's starting values."""
    if interaction is None:
        return {}
    parts = [interaction.question.strip(), interaction.notes.strip(), _paper_facts(interaction, client)]
    text = "\n\n".join(part for part in parts if part)
    values = {"description": text, "channel": interaction.channel}
    detail = interaction.contact_detail.strip()
    if client is None:
        values["reporter_name"] = interaction.contact_name
        values["reporter_email" if "@" in detail else "reporter_phone"] = detail
    return values


def _paper_facts(interaction: Any, client: Any) -> str:
    """A letter's or fax's reference number, date received and anonymous sender's address, as a
    line of the new case's description."""
    facts = []
    if str(getattr(interaction, "reference_number", "")):
        facts.append(_("Reference number: %(number)s") % {"number": interaction.reference_number})
    if getattr(interaction, "received_at", None):
        facts.append(_("received on %(day)s") % {"day": formatting.day(interaction.received_at)})
    if client is None and str(getattr(interaction, "contact_address", "")):
        facts.append(_("sender's address: %(address)s") % {"address": interaction.contact_address})
    return "; ".join(facts)


def suggest_duplicates(service: Any, latitude: Decimal, longitude: Decimal, *, now: dt.datetime) -> list[Case]:
    """Open cases of ``service`` within 50 m created in the last 12 weeks, nearest first."""
    box = Decimal("0.0006")  # ~66 m of latitude; longitude degrees are shorter, so the box is wider
    candidates = Case.objects.filter(
        service=service,
        status__in=OPEN_STATUSES,
        created_at__gte=now - DUPLICATE_WINDOW,
        latitude__range=(latitude - box, latitude + box),
        longitude__range=(longitude - box * 2, longitude + box * 2),
    ).select_related("assigned_unit")[:50]
    scored = [
        (distance_m(float(latitude), float(longitude), float(c.latitude), float(c.longitude)), c)
        for c in candidates
        if c.latitude is not None and c.longitude is not None
    ]
    return [c for d, c in sorted(scored, key=lambda x: x[0]) if d <= DUPLICATE_RADIUS_M]


def _answers_from(post: Any, service: Service) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in service.questions.all():
        key = f"q_{q.code}"
        if q.datatype == "multivaluelist":
            values = post.getlist(key)
            if values:
                answers[q.code] = values
        elif q.datatype != "notice" and post.get(key, "") != "":
            answers[q.code] = post.get(key)
    return answers


@login_required
def intake_view(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    if not access.can_open_in(request.user, jurisdiction):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    client = _client(request, source.get("client", ""))
    interaction = _interaction(request, source.get("interaction", ""))
    services = _services(jurisdiction)
    search = source.get("search", "").strip()[:200]
    found = list(_all_services(jurisdiction).search(search).order_by("kind", "public_name")[:20]) if search else []
    chosen = source.get("service", "")
    if not chosen and not search and "pick" not in source and interaction is not None and interaction.service_id:
        chosen = str(interaction.service.uuid)  # the service picked on the contact
    picked = _all_services(jurisdiction).filter(uuid=chosen).first() if _is_uuid(chosen) else None
    inquiry = picked if picked is not None and picked.kind == Service.Kind.INQUIRY else None
    service = (
        services.filter(pk=picked.pk).prefetch_related("questions__choices").first()
        if picked is not None and inquiry is None
        else None
    )
    errors: dict[str, Message] = {}
    if request.method == "POST" and service is not None:
        location = {
            "latitude": source.get("latitude", ""),
            "longitude": source.get("longitude", ""),
            "address": source.get("address", ""),
            "gmina_code": source.get("gmina_code", ""),
        }
        original = None
        if source.get("duplicate_of", "").isdigit():
            original = Case.objects.visible_to(request.user).filter(pk=int(source["duplicate_of"])).first()
        fields: dict[str, Any] = {
            "actor": request.user,
            "organisation": jurisdiction,
            "service": service,
            "description": source.get("description", ""),
            "channel": source.get("channel", Channel.PHONE),
            "client": client,
            "reporter": {
                "name": source.get("reporter_name", ""),
                "email": source.get("reporter_email", ""),
                "phone": source.get("reporter_phone", ""),
            },
            "location": location,
            "answers": _answers_from(source, service),
            "priority": source.get("priority") or None,
            "interaction": interaction,
            "received_at": getattr(interaction, "received_at", None),
        }
        try:
            if original is not None:  # a repeat of a case already open: registered merged into it, in one step
                case = actions.open_duplicate_case(into=original, **fields)
            else:
                case = actions.open_case(**fields)
        except CaseInputError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return HttpResponseRedirect(reverse("cases:detail", args=[case.uuid]))
    blocking = [q for q in service.questions.all() if q.datatype == "notice" and q.required] if service else []
    context = {
        "jurisdiction": jurisdiction,
        "client": client,
        "interaction": interaction,
        "search": search,
        "found": found,
        "service": service,
        "questions": [
            (q, source.getlist(f"q_{q.code}") if q.datatype == "multivaluelist" else source.get(f"q_{q.code}", ""))
            for q in service.questions.all()
        ]
        if service
        else [],
        "blocking": blocking,
        "errors": errors,
        "values": source if request.method == "POST" else {**_handed_over(interaction, client), **source.dict()},
        "inquiry": inquiry,
        "channels": Channel.choices,
        "priorities": Priority.choices,
        "map": geo_views.map_settings(getattr(request, "organisation", None) or jurisdiction),
    }
    return render(request, "cases/intake.html", context, status=400 if errors else 200)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _client(request: HttpRequest, value: str) -> Any:
    """The client the case is opened for; viewing them is logged (404 outside the scope)."""
    if not _is_uuid(value):
        return None
    from okienko.clients.access import access_client

    return access_client(request.user, value, purpose="open case")


def _interaction(request: HttpRequest, value: str) -> Any:
    if not _is_uuid(value):
        return None
    from okienko.interactions.models import Interaction

    return Interaction.objects.visible_to(request.user).filter(uuid=value).first()


@login_required
def duplicates_view(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    service = (
        _services(jurisdiction).filter(uuid=request.GET.get("service", "")).first()
        if _is_uuid(request.GET.get("service", ""))
        else None
    )
    lat: Decimal | None
    lon: Decimal | None
    try:
        lat = Decimal(request.GET.get("latitude", ""))
        lon = Decimal(request.GET.get("longitude", ""))
    except InvalidOperation:
        lat = lon = None
    found: list[Case] = []
    if service is not None and lat is not None and lon is not None and lat.is_finite() and lon.is_finite():
        near = suggest_duplicates(service, lat, lon, now=clock.now())
        visible = set(
            Case.objects.visible_to(request.user).filter(pk__in=[c.pk for c in near]).values_list("pk", flat=True)
        )
        found = [c for c in near if c.pk in visible]
    return render(request, "cases/_duplicates.html", {"duplicates": found})


@login_required
@cache_control(private=True, max_age=3600)
def geo_view(request: HttpRequest, name: str) -> HttpResponse:
    """Administrative boundaries shipped with the product, the map's offline base layer.

    ``?prefix=10`` keeps only units whose TERYT code starts with it (e.g. one voivodeship)."""
    prefix = request.GET.get("prefix", "")[:7]
    try:
        data = reference.boundaries(name, prefix if prefix.isdigit() else "")
    except KeyError:
        raise Http404 from None
    return HttpResponse(data, content_type="application/json")

"""Trainings and events on the portal (issue 19, item 7): the catalogues ``/szkolenia/`` and
``/wydarzenia/`` with filters (GET, no JavaScript needed), the detail pages with schema.org
``Course``/``Event`` JSON-LD and the registration form — one click for a signed-in job seeker, name
and e-mail for a guest (honeypot, minimum fill time and an hourly per-address limit, as the
portal's other public forms) — cancelling a registration from "my matters", and the one-click
opt-out of announcements. Only published items are shown (cancelled ones stay visible with the
reason for people who registered); anything else is answered as missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.core.errors import DomainError
from okienko.jobs import content, jsonld, search
from okienko.jobs.events import actions
from okienko.jobs.events.forms import EventFilterForm, GuestRegistrationForm, TrainingFilterForm
from okienko.jobs.events.models import Event, Registration, Training
from okienko.jobs.events.states import Funding, ItemStatus, RegistrationStatus
from okienko.jobs.seekers import signin
from okienko.jobs.seekers.models import PortalAccount
from okienko.portal import guard
from okienko.portal.account_views import _account, _account_required

PER_PAGE = 20
MAX_ROWS = 2000
SCOPE = "event_register"
VISIBLE = (ItemStatus.PUBLISHED, ItemStatus.CANCELLED)


def _office_choices(model: type[Training] | type[Event]) -> list[tuple[str, str]]:
    ids = model.objects.published().values_list("office_id", flat=True).distinct()
    return [(o.code, o.name) for o in Organisation.objects.filter(pk__in=list(ids)).order_by("kind", "name")]


def _title_filter(items: QuerySet[Any], query: str) -> QuerySet[Any]:
    groups = search.query_groups(query)
    if not groups:
        return items.none()
    for group in groups:
        where = Q()
        for key in group:
            where |= Q(title_keys__contains=f" {key} ")
        items = items.filter(where)
    return items


def _filtered(items: QuerySet[Any], data: dict[str, Any]) -> list[Any]:
    if data.get("q"):
        items = _title_filter(items, data["q"])
    if data.get("office"):
        items = items.filter(office__code=data["office"])
    if data.get("area"):
        area = data["area"]
        items = items.filter(
            Q(place_teryt__startswith=area) | Q(online=True) | Q(office__territory__code__startswith=area[:4])
        ).distinct()
    rows = list(items[:MAX_ROWS])
    occupation = data.get("occupation") or ""
    if occupation:
        rows = [i for i in rows if any(str(c).startswith(occupation) for c in i.occupations)]
    return rows


def _page(request: HttpRequest, rows: list[Any]) -> Any:
    number = request.GET.get("page", "1")
    return Paginator(rows, PER_PAGE).get_page(number if number.isdigit() else 1)


def _params(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def trainings_view(request: HttpRequest) -> HttpResponse:
    form = TrainingFilterForm(request.GET or None, offices=_office_choices(Training))
    page = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        today = clock.local_now().date()
        items = Training.objects.published().select_related("office").filter(end_date__gte=today)
        if data.get("funding"):
            items = items.filter(funding=data["funding"])
        if data.get("free"):
            items = items.filter(Q(cost=0) | ~Q(funding=Funding.PARTICIPANT))
        if data.get("date_from"):
            items = items.filter(start_date__gte=data["date_from"])
        page = _page(request, _filtered(items.order_by("start_date", "pk"), data))
    context = {"form": form, "page": page, "params": _params(request), "names": search.occupation_names()}
    return render(request, "portal/events/trainings.html", context, status=400 if form.errors else 200)


def events_view(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None, offices=_office_choices(Event))
    page = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        items = Event.objects.published().select_related("office").filter(ends_at__gte=clock.now())
        if data.get("kind"):
            items = items.filter(kind=data["kind"])
        if data.get("date_from"):
            start = timezone.make_aware(dt.datetime.combine(data["date_from"], dt.time()))
            items = items.filter(starts_at__gte=start)
        page = _page(request, _filtered(items.order_by("starts_at", "pk"), data))
    context = {"form": form, "page": page, "params": _params(request)}
    return render(request, "portal/events/events.html", context, status=400 if form.errors else 200)


def _place(item: Training | Event) -> dict[str, Any]:
    if item.online and not (isinstance(item, Training) and item.place_locality):
        return {"@type": "VirtualLocation", "url": ""}
    name = item.place_locality if isinstance(item, Training) else item.address
    return {
        "@type": "Place",
        "name": name,
        "address": {"@type": "PostalAddress", "addressLocality": name, "addressCountry": "PL"},
    }


def _json_ld(item: Training | Event, url: str) -> str:
    organiser = {"@type": "GovernmentOrganization", "name": item.office.name}
    if item.office.website:
        organiser["url"] = item.office.website
    description = content.plain_text(item.description)[:2000]
    data: dict[str, Any]
    if isinstance(item, Training):
        data = {
            "@context": "https://schema.org",
            "@type": "Course",
            "name": item.title,
            "description": description or item.title,
            "url": url,
            "provider": {"@type": "Organization", "name": item.provider},
            "offers": {
                "@type": "Offer",
                "price": f"{item.cost:.2f}",
                "priceCurrency": "PLN",
                "category": item.get_funding_display(),
            },
            "hasCourseInstance": {
                "@type": "CourseInstance",
                "courseMode": "online" if item.online else "onsite",
                "startDate": item.start_date.isoformat(),
                "endDate": item.end_date.isoformat(),
                "location": _place(item),
                "organizer": organiser,
            },
        }
        if item.occupations:
            data["occupationalCredentialAwarded"] = ", ".join(item.occupations)
    else:
        status = (
            "https://schema.org/EventCancelled"
            if item.status == ItemStatus.CANCELLED
            else "https://schema.org/EventScheduled"
        )
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": item.title,
            "description": description or item.title,
            "url": url,
            "startDate": timezone.localtime(item.starts_at).isoformat(),
            "endDate": timezone.localtime(item.ends_at).isoformat(),
            "eventStatus": status,
            "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
            if item.online
            else "https://schema.org/OfflineEventAttendanceMode",
            "location": _place(item),
            "organizer": organiser,
            "isAccessibleForFree": True,
            "maximumAttendeeCapacity": item.capacity,
        }
    return jsonld.script_json(data)


def _mine(account: PortalAccount | None, item: Training | Event) -> Registration | None:
    if account is None:
        return None
    field = "training" if isinstance(item, Training) else "event"
    return (
        Registration.objects.filter(**{field: item}, account=account)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def _detail(request: HttpRequest, item: Training | Event, template: str) -> HttpResponse:
    account = signin.current(request)
    seeker = account if account is not None and account.kind == PortalAccount.Kind.SEEKER else None
    form = GuestRegistrationForm(initial={guard.STARTED: guard.started_token()})
    status = 200
    done: Registration | None = None
    error = ""
    if request.method == "POST":
        if guard.limited(SCOPE, request):
            return render(request, "portal/limited.html", status=429)
        guard.count(SCOPE, request)
        try:
            if seeker is not None and request.POST.get("as") == "account":
                done = actions.register(item=item, account=seeker)
            else:
                form = GuestRegistrationForm(request.POST)
                if request.POST.get(guard.HONEYPOT):
                    form.add_error(None, _("The form could not be accepted. Please try again."))
                elif form.is_valid() and guard.too_fast(form.cleaned_data.get(guard.STARTED, "")):
                    form.add_error(None, _("The form was sent too quickly. Check it and send it again."))
                elif form.is_valid():
                    data = form.cleaned_data
                    done = actions.register(item=item, name=data["name"], email=data["email"], phone=data["phone"])
        except DomainError as exc:
            error = str(exc.message)
        if done is None:
            status = 409 if error else 400
            fresh = request.POST.copy() if form.is_bound else None
            if fresh:
                fresh[guard.STARTED] = guard.started_token()
                form = GuestRegistrationForm(fresh)
                form.is_valid()
    url = request.build_absolute_uri(request.path)
    context = {
        "item": item,
        "form": form,
        "seeker": seeker,
        "mine": done or _mine(seeker, item),
        "done": done,
        "error": error,
        "closed": actions.registration_closed_reason(item),
        "description": mark_safe(content.display_html(item.description, approved=True)),  # nh3-sanitised
        "json_ld": mark_safe(_json_ld(item, url)),  # escaped for <script>
        "when": actions.when_text(item),
        "place": actions.place_text(item),
        "occupations": [(c, search.occupation_names().get(c, "")) for c in item.occupations],
    }
    return render(request, template, context, status=status)


@never_cache
def training_view(request: HttpRequest, uuid: str) -> HttpResponse:
    item = Training.objects.filter(status__in=VISIBLE, uuid=uuid).select_related("office").first()
    if item is None:
        raise Http404("training")
    return _detail(request, item, "portal/events/training.html")


@never_cache
def event_view(request: HttpRequest, uuid: str) -> HttpResponse:
    item = Event.objects.filter(status__in=VISIBLE, uuid=uuid).select_related("office").first()
    if item is None:
        raise Http404("event")
    return _detail(request, item, "portal/events/event.html")


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def cancel_view(request: HttpRequest, uuid: str) -> HttpResponse:
    account = _account(request)
    registration = Registration.objects.filter(account=account, uuid=uuid).first()
    if registration is None:
        raise Http404("registration")
    actions.cancel_registration(registration=registration, actor=account.user)
    return HttpResponseRedirect(reverse("portal:account") + "#registrations")


@never_cache
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from an announcement, no sign-in: the signed link names the job seeker. GET only
    asks (mail scanners and link previews open links on their own); the button POSTs."""
    client = actions.client_for_token(token)
    if client is None:
        return render(request, "portal/events/unsubscribe.html", {"valid": False}, status=400)
    if request.method == "POST":
        actions.opt_out(client, how="link")
        return render(request, "portal/events/unsubscribe.html", {"valid": True, "done": True})
    return render(request, "portal/events/unsubscribe.html", {"valid": True, "done": False})

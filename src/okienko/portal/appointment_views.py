"""My visits at the office (issue 19, item 6): the job seeker's appointments and booking one in
a free time of their own county office — visit type → day → time, each step a plain form that
works from the keyboard and without JavaScript; cancelling up to the schedule's limit (24 h)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from okienko.clients.models import Client
from okienko.core import clock
from okienko.core.actors import PORTAL
from okienko.core.errors import DomainError
from okienko.jobs.appointments import actions, forms
from okienko.jobs.appointments.models import Appointment, Status
from okienko.jobs.seekers.models import PortalAccount
from okienko.portal.account_views import _account, _account_required


def _client(request: HttpRequest) -> tuple[PortalAccount, Client]:
    account = _account(request)
    if account.client is None:
        raise Http404("client")
    return account, account.client


@_account_required(PortalAccount.Kind.SEEKER)
def list_view(request: HttpRequest) -> HttpResponse:
    _unused, client = _client(request)
    now = clock.now()
    mine = Appointment.objects.filter(client=client).select_related("visit_type__schedule", "office")
    upcoming = list(mine.filter(status=Status.BOOKED, starts_at__gt=now).order_by("starts_at")[:20])
    past = list(mine.exclude(pk__in=[a.pk for a in upcoming]).order_by("-starts_at")[:20])
    rows = [(a, actions.may_cancel_online(a, now=now)) for a in upcoming]
    context = {
        "upcoming": rows,
        "past": past,
        "can_book": actions.portal_visit_types(client).exists(),
        "booked": request.GET.get("umowiono") == "1",
        "cancelled": request.GET.get("odwolano") == "1",
    }
    return render(request, "portal/appointments/list.html", context)


@_account_required(PortalAccount.Kind.SEEKER)
@require_http_methods(["GET", "POST"])
def book_view(request: HttpRequest) -> HttpResponse:
    account, client = _client(request)
    visit_types = actions.portal_visit_types(client)
    data = request.POST if request.method == "POST" else (request.GET if "visit_type" in request.GET else None)
    form = forms.BookingForm(data, visit_types=visit_types)
    step = forms.read(form)
    status = 400 if form.errors else 200
    if request.method == "POST" and step.start is not None and step.visit_type is not None:
        try:
            actions.book(actor=PORTAL, client=client, visit_type=step.visit_type, starts_at=step.start, account=account)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            return HttpResponseRedirect(reverse("portal:appointments") + "?umowiono=1")
    elif request.method == "POST" and not form.errors:
        form.add_error("start", forms.CHOOSE_TIME)
        status = 400
    context = {"form": form, "step": step, "has_types": visit_types.exists()}
    return render(request, "portal/appointments/book.html", context, status=status)


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def cancel_view(request: HttpRequest, uuid: str) -> HttpResponse:
    account, client = _client(request)
    appointment = Appointment.objects.filter(client=client, uuid=uuid).select_related("visit_type__schedule").first()
    if appointment is None:
        raise Http404("appointment")
    try:
        actions.cancel(actor=PORTAL, appointment=appointment, by_office=False, account=account)
    except DomainError as exc:
        return render(request, "portal/appointments/cancel_refused.html", {"message": exc.message}, status=exc.status)
    return HttpResponseRedirect(reverse("portal:appointments") + "?odwolano=1")

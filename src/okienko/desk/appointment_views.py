"""Appointments at the office on the desk (issue 19, item 6): the day view of an office's visits,
booking a visit for a client (from the client card), cancelling (the client is told) and marking
attended / did not come. Staff see the appointments of their own organisations only: anything
else answers 404; changes need ``Perm.CLIENTS_EDIT`` in the appointment's office."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.clients.access import access_client
from okienko.core import audit, clock, errors
from okienko.core.clock import WARSAW
from okienko.core.errors import DomainError
from okienko.jobs.appointments import access, actions, forms, slots
from okienko.jobs.appointments.models import Appointment, Status


def _back(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    if request.POST.get("next") == "card":
        return redirect("clients:card", client_uuid=appointment.client.uuid)
    day = appointment.starts_at.astimezone(WARSAW).date()
    return redirect(f"{reverse('desk:appointments')}?office={appointment.office.code}&day={day:%Y-%m-%d}")


@login_required
@require_GET
def day_view(request: HttpRequest) -> HttpResponse:
    schedules = list(access.schedules(request.user).order_by("office__path")[:200])
    if not schedules:
        raise PermissionDenied(access.VIEW)
    by_code = {s.office.code: s for s in schedules}
    schedule = by_code.get(request.GET.get("office", "")) or schedules[0]
    today = clock.now().astimezone(WARSAW).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day = today
        messages.error(request, _("Enter the day as YYYY-MM-DD."))
    if not 2000 <= day.year <= 2100:  # the day's bounds and its neighbours stay in the calendar
        day = today
        messages.error(request, _("Choose dates between 2000 and 2100."))
    start, end = slots.at(day, dt.time(0, 0)), slots.at(day + dt.timedelta(days=1), dt.time(0, 0))
    rows = list(
        access.appointments(request.user)
        .filter(office=schedule.office, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "desk")
    )
    context = {
        "schedules": schedules,
        "schedule": schedule,
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "rows": rows,
        "hours": slots.hours_of(schedule, day),
        "closed_reason": slots.closed_reason(schedule, day),
        "may_edit": access.may_edit(request.user, schedule.office),
        "now": clock.now(),
        "BOOKED": Status.BOOKED,
        "booked": sum(1 for a in rows if a.status == Status.BOOKED),
    }
    return render(request, "desk/appointments/day.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def book_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    client = access_client(request.user, client_uuid, purpose="desk appointments")
    if not access.may_book_for(request.user, client):
        raise PermissionDenied(access.EDIT)
    visit_types = actions.staff_visit_types(client, access.offices(request.user, access.EDIT))
    data = request.POST if request.method == "POST" else (request.GET if "visit_type" in request.GET else None)
    form = forms.BookingForm(data, visit_types=visit_types, staff=True)
    step = forms.read(form, staff=True)
    status = 400 if form.errors else 200
    if request.method == "POST" and step.start is not None and step.visit_type is not None:
        try:
            appointment = actions.book(
                actor=request.user,
                client=client,
                visit_type=step.visit_type,
                starts_at=step.start,
                notes=form.cleaned_data.get("notes") or "",
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("The visit is booked; the client gets a confirmation."))
            return redirect("clients:card", client_uuid=appointment.client.uuid)
    elif request.method == "POST" and not form.errors:
        form.add_error("start", forms.CHOOSE_TIME)
        status = 400
    context = {"client": client, "form": form, "step": step, "has_types": visit_types.exists()}
    return render(request, "desk/appointments/book.html", context, status=status)


def _appointment(request: HttpRequest, uuid: str) -> Appointment:
    appointment = access.appointment(request.user, uuid)
    if appointment is None:
        hidden = Appointment.objects.filter(uuid=uuid).first()
        if hidden is not None:  # another office's: answered as missing, the attempt logged
            audit.record_denied(request.user, hidden, organisation_id=hidden.office_id, purpose="desk appointments")
        raise Http404("appointment")
    if not access.may_edit(request.user, appointment.office):
        raise PermissionDenied(access.EDIT)
    return appointment


@login_required
@require_POST
def cancel_view(request: HttpRequest, uuid: str) -> HttpResponse:
    appointment = _appointment(request, uuid)
    try:
        actions.cancel(
            actor=request.user, appointment=appointment, by_office=True, reason=request.POST.get("reason", "")[:300]
        )
    except DomainError as exc:
        errors.report(request, exc)
    else:
        messages.success(request, _("The visit is cancelled; the client is told."))
    return _back(request, appointment)


@login_required
@require_POST
def close_view(request: HttpRequest, uuid: str) -> HttpResponse:
    appointment = _appointment(request, uuid)
    try:
        actions.close(actor=request.user, appointment=appointment, status=request.POST.get("status", ""))
    except DomainError as exc:
        errors.report(request, exc)
    else:
        messages.success(request, _("Saved."))
    return _back(request, appointment)

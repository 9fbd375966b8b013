"""Appointment schedules of the offices on the desk (issue 19, item 6): the list of the schedules a
member of staff may read, a new schedule, and one schedule's page with its settings, weekly hours,
days that differ and visit types, and switching it off or on.

Who sees what (``jobs.appointments.access``): staff who see an office's appointments read its
schedule; its supervisors and administrators change it. Anyone else gets 403 for the list and
404 for a schedule outside their organisations; a reader who posts a change gets 403. Domain
refusals (a change that strands booked visits, bad hours) re-show the page with the form's
errors (400/409), never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Organisation
from okienko.core.errors import DomainError
from okienko.jobs.appointments import access, schedules
from okienko.jobs.appointments.models import Schedule, ScheduleException, VisitType, Weekday
from okienko.jobs.appointments.schedule_forms import ExceptionForm, ScheduleForm, VisitTypeForm, WeekForm
from okienko.jobs.appointments.schedules import Range

TEMPLATE = "desk/appointments/schedule.html"
# Schedules are kept by the labour offices and their departments (not by city offices).
LABOUR_OFFICES = (Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.REGION_OFFICE)


def _schedule(request: HttpRequest, office: str) -> Schedule:
    schedule = access.all_schedules(request.user).filter(office__code=office).first()
    if schedule is None:
        raise Http404("schedule")
    return schedule


def _managed(request: HttpRequest, office: str) -> Schedule:
    schedule = _schedule(request, office)
    if not access.may_manage(request.user, schedule.office):
        raise PermissionDenied(access.MANAGE[0])
    return schedule


def _errors(form: BaseForm, exc: DomainError) -> None:
    """The domain's refusal shown on the form: on its field when the form has one."""
    placed = False
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _week(schedule: Schedule) -> dict[int, list[Range]]:
    week: dict[int, list[Range]] = {}
    for h in schedule.hours.all():
        week.setdefault(h.weekday, []).append(Range(h.opens, h.closes, h.desks))
    return week


def _page(request: HttpRequest, schedule: Schedule, *, status: int = 200, **forms: Any) -> HttpResponse:
    may_manage = access.may_manage(request.user, schedule.office)
    week = _week(schedule)
    context = {
        "schedule": schedule,
        "may_manage": may_manage,
        "week": [(day, week.get(day.value, [])) for day in Weekday],
        "exceptions": list(schedule.exceptions.order_by("day")),
        "visit_types": list(schedule.visit_types.all()),
        "settings_form": forms.get("settings_form") or ScheduleForm(instance=schedule),
        "week_form": forms.get("week_form") or WeekForm(initial_week=week),
        "day_form": forms.get("day_form") or ExceptionForm(),
        "failed": status >= 400,
    }
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_GET
def schedules_view(request: HttpRequest) -> HttpResponse:
    readable = access.schedule_offices(request.user)
    if not readable.exists():
        raise PermissionDenied(access.VIEW)
    rows = list(access.all_schedules(request.user).order_by("-active", "office__path")[:500])
    managed = access.managed_offices(request.user)
    context = {
        "rows": [(s, access.may_manage(request.user, s.office)) for s in rows],
        "may_create": managed.exists(),
    }
    return render(request, "desk/appointments/schedules.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new_view(request: HttpRequest) -> HttpResponse:
    managed = access.managed_offices(request.user)
    if not managed.exists():
        raise PermissionDenied(access.MANAGE[0])
    offices = (
        managed.filter(appointment_schedule__isnull=True)
        .filter(Q(kind__in=LABOUR_OFFICES) | Q(kind=Organisation.Kind.DEPARTMENT, parent__kind__in=LABOUR_OFFICES))
        .order_by("path")
    )
    form = ScheduleForm(request.POST if request.method == "POST" else None, offices=offices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                schedule = schedules.create_schedule(
                    actor=request.user, office=form.cleaned_data["office"], values=form.values()
                )
            except DomainError as exc:
                _errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The schedule is created. Now set its weekly hours and visit types."))
                return redirect("desk:appointment_schedule", office=schedule.office.code)
        else:
            status = 400
    return render(
        request,
        "desk/appointments/schedule_new.html",
        {"form": form, "has_offices": offices.exists()},
        status=status,
    )


@login_required
@require_GET
def schedule_view(request: HttpRequest, office: str) -> HttpResponse:
    return _page(request, _schedule(request, office))


@login_required
@require_POST
def schedule_settings_view(request: HttpRequest, office: str) -> HttpResponse:
    schedule = _managed(request, office)
    form = ScheduleForm(request.POST, instance=Schedule.objects.get(pk=schedule.pk))
    if not form.is_valid():
        return _page(request, schedule, status=400, settings_form=form)
    try:
        schedules.update_schedule(actor=request.user, schedule=schedule, values=form.values())
    except DomainError as exc:
        _errors(form, exc)
        return _page(request, Schedule.objects.get(pk=schedule.pk), status=exc.status, settings_form=form)
    messages.success(request, _("Saved."))
    return redirect("desk:appointment_schedule", office=schedule.office.code)


@login_required
@require_POST
def schedule_hours_view(request: HttpRequest, office: str) -> HttpResponse:
    schedule = _managed(request, office)
    form = WeekForm(request.POST)
    if not form.is_valid():
        return _page(request, schedule, status=400, week_form=form)
    try:
        schedules.set_weekly_hours(actor=request.user, schedule=schedule, week=form.week())
    except DomainError as exc:
        _errors(form, exc)
        return _page(request, schedule, status=exc.status, week_form=form)
    messages.success(request, _("The weekly hours are saved."))
    return redirect("desk:appointment_schedule", office=schedule.office.code)


@login_required
@require_POST
def schedule_day_view(request: HttpRequest, office: str) -> HttpResponse:
    schedule = _managed(request, office)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        return _page(request, schedule, status=400, day_form=form)
    try:
        schedules.save_exception(
            actor=request.user,
            schedule=schedule,
            day=form.cleaned_data["day"],
            closed=bool(form.cleaned_data.get("closed")),
            hours=form.hours(),
            reason=form.cleaned_data.get("reason") or "",
        )
    except DomainError as exc:
        _errors(form, exc)
        return _page(request, schedule, status=exc.status, day_form=form)
    messages.success(request, _("The day is saved."))
    return redirect("desk:appointment_schedule", office=schedule.office.code)


@login_required
@require_POST
def schedule_day_delete_view(request: HttpRequest, office: str, pk: int) -> HttpResponse:
    schedule = _managed(request, office)
    exception = ScheduleException.objects.filter(schedule=schedule, pk=pk).first()
    if exception is None:
        raise Http404("day")
    try:
        schedules.delete_exception(actor=request.user, exception=exception)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The day follows the weekly hours again."))
    return redirect("desk:appointment_schedule", office=schedule.office.code)


@login_required
@require_POST
def schedule_active_view(request: HttpRequest, office: str) -> HttpResponse:
    schedule = _managed(request, office)
    active = request.POST.get("active") == "1"
    try:
        schedules.set_active(actor=request.user, schedule=schedule, active=active)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The schedule is in use again.") if active else _("The schedule is switched off."))
    return redirect("desk:appointment_schedule", office=schedule.office.code)


@login_required
@require_http_methods(["GET", "POST"])
def visit_type_view(request: HttpRequest, office: str, pk: int | None = None) -> HttpResponse:
    schedule = _managed(request, office)
    visit_type = None
    if pk is not None:
        visit_type = VisitType.objects.filter(schedule=schedule, pk=pk).first()
        if visit_type is None:
            raise Http404("visit type")
    data = request.POST if request.method == "POST" else None
    form = VisitTypeForm(data, instance=VisitType.objects.get(pk=visit_type.pk) if visit_type else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                schedules.save_visit_type(
                    actor=request.user, schedule=schedule, values=form.values(), visit_type=visit_type
                )
            except DomainError as exc:
                _errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The visit type is saved."))
                return redirect("desk:appointment_schedule", office=schedule.office.code)
        else:
            status = 400
    context = {"schedule": schedule, "visit_type": visit_type, "form": form}
    return render(request, "desk/appointments/visit_type.html", context, status=status)

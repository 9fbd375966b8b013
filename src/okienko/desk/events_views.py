"""Trainings and job fairs on the desk (issue 19, item 7): the items of the offices where the
user holds ``Perm.JOBS_EVENTS`` (a regional office's region-wide items, a county office's own),
creating and editing them, publishing (which announces them to matching job seekers), cancelling
with a reason, archiving, and the registrations with a CSV export for the organising office only.
Items of other offices are answered as missing; every export is audited as an access."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from okienko.accounts.models import Organisation
from okienko.core import audit, errors
from okienko.core.errors import DomainError
from okienko.core.models import AuditRecord
from okienko.jobs.events import access, actions
from okienko.jobs.events.forms import CancelForm, EventForm, TrainingForm, values_of
from okienko.jobs.events.models import Event, Training
from okienko.jobs.events.states import ItemStatus, RegistrationStatus

PER_PAGE = 50
MODELS: dict[str, Any] = {"training": (Training, TrainingForm), "event": (Event, EventForm)}


def _offices(request: HttpRequest) -> list[Organisation]:
    if not access.may_manage(request.user):
        raise PermissionDenied(access.PERM)
    return access.offices(request.user)


def _item(request: HttpRequest, kind: str, uuid: str) -> Training | Event:
    _offices(request)
    items = access.trainings(request.user) if kind == "training" else access.events(request.user)
    found = items.filter(uuid=uuid).first()
    if found is None:
        raise Http404(kind)
    return found


class OfficeChoice(forms.Form):
    office = forms.ModelChoiceField(label=_("Organising office"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, offices: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in offices])
        field.empty_label = None


@login_required
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    _offices(request)
    status = request.GET.get("status", "")
    trainings = access.trainings(request.user)
    events = access.events(request.user)
    if status in ItemStatus.values:
        trainings, events = trainings.filter(status=status), events.filter(status=status)
    return render(
        request,
        "desk/jobs/events/list.html",
        {
            "trainings": Paginator(trainings.order_by("-start_date", "-pk"), PER_PAGE).get_page(request.GET.get("tp")),
            "events": Paginator(events.order_by("-starts_at", "-pk"), PER_PAGE).get_page(request.GET.get("ep")),
            "status": status,
            "statuses": ItemStatus.choices,
        },
    )


def _report(request: HttpRequest, exc: DomainError, form: forms.BaseForm) -> None:
    errors.report(request, exc)
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, str(message))


@login_required
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest, kind: str) -> HttpResponse:
    offices = _offices(request)
    model, form_class = MODELS[kind]
    form = form_class(request.POST or None, instance=model())
    office_form = OfficeChoice(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid() and office_form.is_valid():
        try:
            creator = actions.create_training if kind == "training" else actions.create_event
            item = creator(actor=request.user, office=office_form.cleaned_data["office"], values=values_of(form))
        except DomainError as exc:
            _report(request, exc, form)
        else:
            messages.success(request, _("Saved as a draft. Publish it when it is ready."))
            return redirect(f"desk:jobs_{kind}", uuid=item.uuid)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "office_form": office_form, "kind": kind}
    return render(request, "desk/jobs/events/new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_view(request: HttpRequest, kind: str, uuid: str) -> HttpResponse:
    item = _item(request, kind, str(uuid))
    model, form_class = MODELS[kind]
    intent = request.POST.get("intent", "save") if request.method == "POST" else ""
    form = form_class(request.POST if intent == "save" else None, instance=model.objects.get(pk=item.pk), prefix="item")
    cancel_form = CancelForm(request.POST if intent == "cancel" else None, prefix="cancel")
    if intent:
        try:
            if intent == "save" and form.is_valid():
                actions.update_item(actor=request.user, item=item, values=values_of(form))
                messages.success(request, _("Saved."))
                return redirect(f"desk:jobs_{kind}", uuid=item.uuid)
            if intent == "publish":
                actions.publish(actor=request.user, item=item)
                messages.success(request, _("Published: matching job seekers will be told about it."))
                return redirect(f"desk:jobs_{kind}", uuid=item.uuid)
            if intent == "cancel" and cancel_form.is_valid():
                actions.cancel(actor=request.user, item=item, reason=cancel_form.cleaned_data["reason"])
                messages.success(request, _("Cancelled."))
                return redirect(f"desk:jobs_{kind}", uuid=item.uuid)
            if intent == "archive":
                actions.archive(actor=request.user, item=item)
                messages.success(request, _("Archived."))
                return redirect(f"desk:jobs_{kind}", uuid=item.uuid)
        except DomainError as exc:
            _report(request, exc, form)
    editable = item.status in (ItemStatus.DRAFT, ItemStatus.PUBLISHED)
    context = {
        "item": item,
        "kind": kind,
        "form": form,
        "cancel_form": cancel_form,
        "editable": editable,
        "when": actions.when_text(item),
        "place": actions.place_text(item),
        "counts": {
            s: access.registrations(item).filter(status=s).count()
            for s in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
        },
    }
    status = 400 if intent and (form.errors or cancel_form.errors) else 200
    return render(request, "desk/jobs/events/item.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def registrations_view(request: HttpRequest, kind: str, uuid: str) -> HttpResponse:
    item = _item(request, kind, str(uuid))
    if request.method == "POST":
        wanted = request.POST.get("registration", "")[:40]
        found = access.registrations(item).filter(uuid=wanted).first() if _uuid(wanted) else None
        if found is None:
            raise Http404("registration")
        actions.cancel_registration(registration=found, actor=request.user)
        messages.success(request, _("The registration is cancelled."))
        return redirect(f"desk:jobs_{kind}_regs", uuid=item.uuid)
    rows = access.registrations(item)
    audit.record(
        "jobs_events.registrations_viewed",
        actor=request.user,
        obj=item,
        organisation_id=item.office_id,
        kind=AuditRecord.Kind.ACCESS,
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "desk/jobs/events/registrations.html", {"item": item, "kind": kind, "page": page})


def _uuid(value: str) -> bool:
    import uuid as uuid_module

    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_GET
def csv_view(request: HttpRequest, kind: str, uuid: str) -> HttpResponse:
    item = _item(request, kind, str(uuid))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Name"), _("E-mail"), _("Phone"), _("Portal account"), _("Status"), _("Registered at")])
    for r in access.registrations(item):
        writer.writerow(
            [
                _safe(r.name),
                _safe(r.email),
                _safe(r.phone),
                _("yes") if r.account_id else _("no"),
                r.get_status_display(),
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    audit.record(
        "jobs_events.registrations_exported",
        actor=request.user,
        obj=item,
        organisation_id=item.office_id,
        kind=AuditRecord.Kind.ACCESS,
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="zapisy-{item.uuid}.csv"'
    return response


def _safe(value: str) -> str:
    """No formula injection in a spreadsheet: a cell starting with = + - @ gets a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

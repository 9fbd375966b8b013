"""Desk views for recording contacts and working on callbacks."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.clients.access import access_client
from okienko.clients.models import Client
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.core.ids import parse_uuid
from okienko.interactions import actions
from okienko.interactions.forms import CallbackForm, CloseCallbackForm, InteractionForm, PaperContactForm
from okienko.interactions.models import Callback, Interaction, InteractionAttachment

# Buttons of the contact form: each one sets the outcome and says where to go next.
ACTION_OUTCOMES = {
    "answered": Interaction.Outcome.ANSWERED,
    "case": Interaction.Outcome.CASE_OPENED,
    "callback": Interaction.Outcome.CALLBACK_REQUESTED,
}


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request, "organisation", None)
    if org is None or not access.has_perm_in(request.user, Perm.INTERACTIONS_RECORD, org):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    return org


def _client_from(request: HttpRequest, value: str | None, purpose: str) -> Client | None:
    return access_client(request.user, value, purpose=purpose) if value else None


def _case_url(client: Client | None, interaction: Interaction) -> str:
    params = {"interaction": str(interaction.uuid)}
    if client is not None:
        params = {"client": str(client.uuid), **params}
    return f"/desk/cases/new/?{urlencode(params)}"


@login_required
def record_view(request: HttpRequest) -> HttpResponse:
    """Record a contact for a client (``?client=<uuid>``) or an anonymous caller."""
    organisation = _organisation(request)
    client = _client_from(request, request.POST.get("client") or request.GET.get("client"), "record contact")
    form = InteractionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        button = request.POST.get("action", "save")
        outcome = ACTION_OUTCOMES.get(button, data["outcome"])
        try:
            interaction = actions.record_interaction(
                actor=request.user,
                channel=data["channel"],
                organisation=organisation,
                client=client,
                direction=data["direction"],
                service=data["service"],
                question=data["question"],
                outcome=outcome,
                notes=data["notes"],
                contact_name=data["contact_name"],
                contact_detail=data["contact_detail"],
            )
        except actions.InteractionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The contact was recorded."))
            if outcome == Interaction.Outcome.CASE_OPENED:
                return redirect(_case_url(client, interaction))
            if outcome == Interaction.Outcome.CALLBACK_REQUESTED:
                return redirect(f"{_callback_new_url()}?{urlencode({'interaction': str(interaction.uuid)})}")
            if client is not None:
                return redirect("clients:card", client_uuid=client.uuid)
            return redirect("clients:desk")
    status = 400 if request.method == "POST" else 200
    return render(request, "interactions/record.html", {"form": form, "client": client}, status=status)


def _callback_new_url() -> str:
    from django.urls import reverse

    return reverse("interactions:callback_new")


def _targets(request: HttpRequest, organisation: Organisation) -> tuple[object, object]:
    root = organisation
    for ancestor in organisation.ancestors().order_by("path")[:1]:
        root = ancestor
    units = Organisation.objects.active().subtree_of(root).order_by("path")
    users = (
        access.people(User.objects.filter(is_active=True, memberships__organisation__in=units))
        .distinct()
        .order_by("last_name", "first_name")
    )
    return units, users


def _interaction(request: HttpRequest, value: str) -> Interaction:
    """The contact a callback is attached to, if recorded where the user may see clients' data
    (as the case intake checks); anything else is 404 and an attempt on another office's contact
    is logged."""
    uuid = parse_uuid(value)
    found = Interaction.objects.select_related("client", "service").filter(uuid=uuid).first() if uuid else None
    if found is None:
        raise Http404("interaction")
    if not Interaction.objects.visible_to(request.user).filter(pk=found.pk).exists():
        audit.record_denied(request.user, found, organisation_id=found.organisation_id, purpose="callback")
        raise Http404("interaction")
    return found


def _reason_of(interaction: Interaction | None) -> str:
    """What was typed on the contact (service, question, notes): the callback's starting reason."""
    if interaction is None:
        return ""
    parts = [interaction.service.public_name if interaction.service else "", interaction.question, interaction.notes]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _phone_of(interaction: Interaction | None) -> str:
    """An anonymous caller's phone as given on the contact (not an e-mail address)."""
    detail = interaction.contact_detail.strip() if interaction is not None else ""
    return "" if "@" in detail else detail[:40]


@login_required
def callback_new_view(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    interaction_id = request.POST.get("interaction") or request.GET.get("interaction")
    interaction = _interaction(request, interaction_id) if interaction_id else None
    client = interaction.client if interaction else None
    if client is None:
        client = _client_from(request, request.POST.get("client") or request.GET.get("client"), "callback")
    elif not access.has_perm_in(request.user, Perm.CLIENTS_VIEW, client.home_office):
        raise Http404("interaction")
    units, users = _targets(request, organisation)
    default_due = (clock.local_now() + dt.timedelta(hours=4)).replace(second=0, microsecond=0)
    phone = client.contacts.filter(kind="phone").values_list("value", flat=True).first() if client else ""
    form = CallbackForm(
        request.POST or None,
        units=units,
        users=users,
        initial={
            "due_at": default_due.replace(tzinfo=None),
            "target_unit": organisation,
            "phone": phone or _phone_of(interaction),
            "reason": _reason_of(interaction),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.request_callback(
                actor=request.user,
                organisation=organisation,
                reason=data["reason"],
                due_at=data["due_at"],
                target_unit=data["target_unit"],
                target_user=data["target_user"],
                client=client,
                interaction=interaction,
                phone=data["phone"],
            )
        except actions.InteractionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The callback was handed over."))
            if client is not None:
                return redirect("clients:card", client_uuid=client.uuid)
            return redirect("interactions:callbacks")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "interactions/callback_new.html",
        {"form": form, "client": client, "interaction": interaction},
        status=status,
    )


@login_required
def callbacks_view(request: HttpRequest) -> HttpResponse:
    """My callbacks: open ones addressed to me or my units, soonest due first."""
    if not access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    mine = Callback.objects.for_target(request.user).select_related("client", "target_unit", "target_user")
    return render(
        request,
        "interactions/callbacks.html",
        {
            "open": list(mine.open().order_by("due_at")[:100]),
            "closed": list(mine.exclude(status=Callback.Status.CREATED).order_by("-closed_at")[:20]),
            "now": clock.now(),
            "close_form": CloseCallbackForm(),
        },
    )


@login_required
@require_POST
def callback_close_view(request: HttpRequest, callback_uuid: str) -> HttpResponse:
    callback = get_object_or_404(Callback, uuid=parse_uuid(callback_uuid))
    if not actions.may_close(request.user, callback):
        audit.record_denied(request.user, callback, organisation_id=callback.organisation_id, purpose="close")
        raise Http404("callback")
    form = CloseCallbackForm(request.POST)
    if form.is_valid():
        try:
            actions.close_callback(actor=request.user, callback=callback, **form.cleaned_data)
        except actions.InteractionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The callback was closed."))
    else:
        messages.error(request, _("Choose whether the callback was done or failed."))
    return redirect("interactions:callbacks")


def _read_scans(request: HttpRequest) -> list[tuple[str, bytes]]:
    """The uploaded scans as (name, bytes), each read only up to one byte past the limit: a larger
    file is refused by the size check without being held whole in memory."""
    limit = actions.max_scan_bytes()
    return [(f.name or "", f.read(limit + 1)) for f in request.FILES.getlist("scans")]


@login_required
def paper_view(request: HttpRequest) -> HttpResponse:
    """Register a letter, a fax or a visit at the counter for a client (``?client=<uuid>``) or an
    anonymous sender; "Register and open a case" continues to the case intake with it."""
    organisation = _organisation(request)
    client = _client_from(request, request.POST.get("client") or request.GET.get("client"), "register letter")
    form = PaperContactForm(
        request.POST or None, request.FILES or None, organisation=organisation, max_scan_bytes=actions.max_scan_bytes()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interaction = actions.register_paper_contact(
                actor=request.user,
                organisation=organisation,
                channel=data["channel"],
                received_on=data["received_on"],
                question=data["question"],
                reference_number=data["reference_number"],
                client=client,
                service=data["service"],
                notes=data["notes"],
                contact_name=data["contact_name"],
                contact_address=data["contact_address"],
                contact_detail=data["contact_detail"],
                scans=_read_scans(request),
            )
        except actions.InteractionError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, str(message))
        else:
            messages.success(request, _("The letter, fax or visit was registered."))
            if request.POST.get("action") == "case":
                return redirect(_case_url(client, interaction))
            if client is not None:
                return redirect("clients:card", client_uuid=client.uuid)
            return redirect("clients:desk")
    status = 400 if request.method == "POST" else 200
    files_lost = request.method == "POST" and bool(request.FILES)
    return render(
        request, "interactions/paper.html", {"form": form, "client": client, "files_lost": files_lost}, status=status
    )


def may_see_interaction(user: Actor, interaction: Interaction) -> bool:
    """Whoever may see the client sees their whole contact history (ADR 0011), scans included; an
    anonymous contact is seen where its office's clients' data may be seen."""
    if interaction.client is not None and access.has_perm_in(user, Perm.CLIENTS_VIEW, interaction.client.home_office):
        return True
    return Interaction.objects.visible_to(user).filter(pk=interaction.pk).exists()


@login_required
@require_GET
def scan_view(request: HttpRequest, scan_uuid: str) -> HttpResponseBase:
    """Download a scan of a letter or fax; the access is logged, a refused one too (as 404)."""
    uuid = parse_uuid(scan_uuid)
    scan = (
        InteractionAttachment.objects.select_related("interaction__client__home_office").filter(uuid=uuid).first()
        if uuid
        else None
    )
    if scan is None:
        raise Http404("scan")
    interaction = scan.interaction
    if not may_see_interaction(request.user, interaction):
        audit.record_denied(request.user, interaction, organisation_id=interaction.organisation_id, purpose="scan")
        raise Http404("scan")
    audit.record_access(
        request.user,
        interaction.client or interaction,
        organisation_id=interaction.client.home_office_id if interaction.client else interaction.organisation_id,
        purpose=f"scan {scan.uuid}",
    )
    return scan.download()

"""The 1st-line desk: find a client, see the card, register clients, set PINs, consents, merges."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.clients import actions, forms
from okienko.clients.access import access_client, can_edit
from okienko.clients.errors import ClientError, DuplicatesFound
from okienko.clients.models import Client, ClientConsent
from okienko.clients.search import lookup_clients, parse_number
from okienko.core import finders, panels
from okienko.core.panels import render_panels


def _require_desk(request: HttpRequest) -> None:
    if not access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _home_offices(request: HttpRequest) -> list[Organisation]:
    editable = access.organisations_with(request.user, Perm.CLIENTS_EDIT)
    return list(editable.filter(kind__in=forms.HOME_OFFICE_KINDS).prefetch_related("territory").order_by("path"))


@login_required
def desk_view(request: HttpRequest) -> HttpResponse:
    """The desk's start: the search box, results as you type, and the user's open callbacks."""
    _require_desk(request)
    query = request.GET.get("q", "").strip()
    results = lookup_clients(Client.objects.visible_to(request.user).select_related("home_office"), query)
    # Case numbers and reporters' e-mails or phones find cases too (``core.finders``).
    others = finders.find(request, query, skip=frozenset({"clients"}))
    context: dict[str, Any] = {"query": query, "results": results, "other_hits": others}
    if not results and not _is_htmx(request) and (hit := finders.single_exact(others)) is not None:
        return redirect(hit.url)
    if _is_htmx(request):
        return render(request, "clients/_results.html", context)
    context["panels"] = render_panels(request, panels.CLIENT_SEARCH, None)
    context["can_register"] = access.has_perm_anywhere(request.user, Perm.CLIENTS_EDIT)
    return render(request, "clients/desk.html", context)


def _consents(client: Client) -> list[tuple[str, ClientConsent | None]]:
    given = {c.topic: c for c in client.consents.all()}
    return [(str(label), given.get(value)) for value, label in ClientConsent.Topic.choices]


@login_required
def card_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    _require_desk(request)
    client = access_client(request.user, client_uuid, purpose="desk card")
    if client.merged_into_id and client.merged_into and client.merged_into.merged_into_id is None:
        messages.info(request, _("This record was merged; showing the current client record."))
        return redirect("clients:card", client_uuid=client.merged_into.uuid)
    context = {
        "client": client,
        "contacts": list(client.contacts.all()),
        "consents": _consents(client),
        "relations_out": list(client.relations_out.select_related("other")),
        "relations_in": list(client.relations_in.select_related("person")),
        "tools": render_panels(request, panels.CLIENT_CARD_TOOLS, client),
        "panels": render_panels(request, panels.CLIENT_CARD, client),
        "merges": list(client.merges.all()),
        "can_edit": can_edit(request.user, client),
        "pin_form": forms.PinForm(),
        "consent_form": forms.ConsentForm(),
        "contact_form": forms.ContactForm(),
        "relation_form": forms.RelationForm() if client.kind == Client.Kind.PERSON else None,
    }
    return render(request, "clients/card.html", context)


@login_required
def register_view(request: HttpRequest) -> HttpResponse:
    """Register a client; possible duplicates are shown and must be confirmed before saving."""
    _require_desk(request)
    offices = _home_offices(request)
    if not offices:
        raise PermissionDenied(Perm.CLIENTS_EDIT)
    active = getattr(request, "organisation", None)
    initial = {"home_office": next((o for o in offices if active and o.pk == active.pk), offices[0])}
    form = forms.ClientForm(request.POST or None, offices=offices, initial=initial)
    duplicates: list[Any] = []
    blocking = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = actions.register_client(
                actor=request.user,
                home_office=data["home_office"],
                phones=[data["phone"]] if data["phone"] else [],
                emails=[data["email"]] if data["email"] else [],
                gmina_code=data["gmina"] or None,
                accept_duplicates=data["confirm_new"],
                **form.client_fields(),
            )
        except DuplicatesFound as exc:
            duplicates = [{"client": d.client, "reasons": d.reasons, "visible": d.visible} for d in exc.duplicates]
            blocking = exc.blocking
        except ClientError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Client %(number)s registered.") % {"number": client.number})
            return redirect("clients:card", client_uuid=client.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "clients/register.html",
        {"form": form, "duplicates": duplicates, "blocking": blocking},
        status=status,
    )


@login_required
def edit_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    _require_desk(request)
    client = access_client(request.user, client_uuid, purpose="edit")
    if not can_edit(request.user, client):
        raise PermissionDenied(Perm.CLIENTS_EDIT)
    offices = _home_offices(request)
    if client.home_office not in offices:
        offices.append(client.home_office)
    initial = {
        "kind": client.kind,
        "status": client.status,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "organisation_name": client.organisation_name,
        "pesel": client.pesel,
        "nip": client.nip,
        "birth_date": client.birth_date,
        "street": client.street,
        "postal_code": client.postal_code,
        "city": client.city,
        "gmina": client.gmina_id or "",
        "home_office": client.home_office,
    }
    form = forms.ClientForm(request.POST or None, offices=offices, initial=initial)
    for name in ("phone", "email", "confirm_new"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_client(
                actor=request.user,
                client=client,
                home_office=data["home_office"],
                gmina_code=data["gmina"] or "",
                **form.client_fields(),
            )
        except ClientError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Client data saved."))
            return redirect("clients:card", client_uuid=client.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "clients/edit.html", {"form": form, "client": client}, status=status)


def _editable_client(request: HttpRequest, client_uuid: str, purpose: str) -> Client:
    _require_desk(request)
    client = access_client(request.user, client_uuid, purpose=purpose)
    if not can_edit(request.user, client):
        raise PermissionDenied(Perm.CLIENTS_EDIT)
    return client


@login_required
@require_POST
def pin_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    client = _editable_client(request, client_uuid, "set PIN")
    form = forms.PinForm(request.POST)
    if form.is_valid():
        try:
            actions.set_pin(actor=request.user, client=client, pin=form.cleaned_data["pin"])
        except ClientError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The PIN was set."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("clients:card", client_uuid=client.uuid)


@login_required
@require_POST
def consent_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    client = _editable_client(request, client_uuid, "consents")
    form = forms.ConsentForm(request.POST)
    if form.is_valid():
        actions.record_consent(actor=request.user, client=client, **form.cleaned_data)
        messages.success(request, _("The consent was recorded."))
    else:
        messages.error(request, _("Choose the consent, the decision and its source."))
    return redirect("clients:card", client_uuid=client.uuid)


@login_required
@require_POST
def contact_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    client = _editable_client(request, client_uuid, "contacts")
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        try:
            actions.add_contact(actor=request.user, client=client, **form.cleaned_data)
        except ClientError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The contact was added."))
    else:
        messages.error(request, _("Enter a phone number or an e-mail address."))
    return redirect("clients:card", client_uuid=client.uuid)


@login_required
@require_POST
def relation_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """Record that this person acts for another client (an employer, a represented person)."""
    client = _editable_client(request, client_uuid, "relations")
    form = forms.RelationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the relation and enter the other client's number."))
        return redirect("clients:card", client_uuid=client.uuid)
    number = parse_number(form.cleaned_data["other_number"]) or form.cleaned_data["other_number"].upper()
    other = Client.objects.visible_to(request.user).active().filter(number=number).first()
    if other is None:
        messages.error(request, _("No client with this number in your offices."))
        return redirect("clients:card", client_uuid=client.uuid)
    try:
        actions.relate_clients(
            actor=request.user,
            person=client,
            kind=form.cleaned_data["kind"],
            other=other,
            role=form.cleaned_data["role"],
        )
    except ClientError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The relation was recorded."))
    return redirect("clients:card", client_uuid=client.uuid)


@login_required
def merge_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """Merge a duplicate record into this client: first show both, then merge on confirmation."""
    client = _editable_client(request, client_uuid, "merge")
    form = forms.MergeForm(request.POST or request.GET or None)
    other: Client | None = None
    if form.is_bound and form.is_valid():
        number = parse_number(form.cleaned_data["other_number"]) or form.cleaned_data["other_number"].upper()
        other = Client.objects.visible_to(request.user).filter(number=number).first()
        if other is None:
            form.add_error("other_number", _("No client with this number in your offices."))
        elif other.pk == client.pk:
            form.add_error("other_number", _("Enter the number of the other record."))
            other = None
        else:
            access_client(request.user, other.uuid, purpose="merge")
        if other is not None and request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                actions.merge_clients(
                    actor=request.user, survivor=client, merged=other, reason=form.cleaned_data["reason"]
                )
            except ClientError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(other)s was merged into %(client)s.") % {"other": other.number, "client": client.number},
                )
                return redirect("clients:card", client_uuid=client.uuid)
    return render(request, "clients/merge.html", {"client": client, "form": form, "other": other})

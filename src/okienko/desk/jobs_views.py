"""Job offers on the desk (issue 19, item 9): the county office's moderation queue with the
moderator hints and the suggested KZiS codes, an offer's page with approve / return / reject,
registering an offer at the office (published and verified at once), the employers of the office
with their verification, and the CBOP export download. Staff with ``Perm.JOBS_MODERATE`` in a
county office; offers of other offices are answered as missing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.access import has_perm_in
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, errors
from okienko.core.errors import DomainError
from okienko.core.models import AuditRecord
from okienko.jobs import access, actions, content, export, search
from okienko.jobs.forms import EmployerForm, ModerationForm, OfferForm
from okienko.jobs.models import Employer
from okienko.jobs.seekers import totp
from okienko.jobs.seekers.models import PortalAccount
from okienko.jobs.states import EmployerStatus, OfferOrigin, OfferStatus

PER_PAGE = 50


def _offices(request: HttpRequest) -> list[Organisation]:
    if not access.may_moderate(request.user):
        raise PermissionDenied(access.PERM)
    return list(access.offices(request.user).order_by("name")[:200])


@login_required
@require_GET
def moderation_view(request: HttpRequest) -> HttpResponse:
    _offices(request)
    status = request.GET.get("status", OfferStatus.SUBMITTED)
    if status not in OfferStatus.values:
        status = OfferStatus.SUBMITTED
    offers = access.offers(request.user).filter(status=status).select_related("employer", "office")
    page = Paginator(offers.order_by("submitted_at", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/jobs/moderation.html",
        {"page": page, "status": status, "statuses": OfferStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_view(request: HttpRequest, uuid: str) -> HttpResponse:
    _offices(request)
    offer = access.offer(request.user, uuid)
    if offer is None:
        raise Http404("offer")
    form = ModerationForm(request.POST or None, initial={"occupation_code": offer.occupation_code})
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        reason = form.cleaned_data["reason"]
        try:
            if decision == "approve":
                actions.approve_offer(
                    actor=request.user, offer=offer, occupation_code=form.cleaned_data["occupation_code"], note=reason
                )
                messages.success(request, _("The offer is published."))
            elif decision == "return":
                actions.return_offer(actor=request.user, offer=offer, reason=reason)
                messages.success(request, _("The offer is returned to the employer for correction."))
            else:
                actions.reject_offer(actor=request.user, offer=offer, reason=reason)
                messages.success(request, _("The offer is rejected."))
        except DomainError as exc:
            errors.report(request, exc)
        else:
            return redirect("desk:jobs_moderation")
    names = search.occupation_names()
    return render(
        request,
        "desk/jobs/offer.html",
        {
            "offer": offer,
            "form": form,
            "moderable": offer.status == OfferStatus.SUBMITTED,
            "description": content.display_html(offer.description, approved=False),
            "occupation_name": names.get(offer.occupation_code, ""),
            "pay": actions.pay_text(offer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_offer_view(request: HttpRequest) -> HttpResponse:
    _offices(request)
    employers = access.employers(request.user).exclude(status=EmployerStatus.SUSPENDED)
    form = OfferForm(request.POST or None, employers=employers)
    if request.method == "POST" and form.is_valid():
        employer: Employer = form.cleaned_data["employer"]
        try:
            offer = actions.create_offer(
                actor=request.user,
                employer=employer,
                office=employer.office,
                origin=OfferOrigin.OFFICE,
                values=form.values(),
            )
            actions.publish_office_offer(actor=request.user, offer=offer)
        except DomainError as exc:
            errors.report(request, exc)
            for field, message in exc.errors.items():
                if field in form.fields:
                    form.add_error(field, str(message))
        else:
            messages.success(request, _("The offer is registered and published."))
            return redirect("desk:jobs_offer", uuid=offer.uuid)
    return render(request, "desk/jobs/new_offer.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def employers_view(request: HttpRequest) -> HttpResponse:
    offices = _offices(request)
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_employer(
                actor=request.user,
                office=offices[0],
                **form.cleaned_data,
            )
        except DomainError as exc:
            errors.report(request, exc)
        else:
            messages.success(request, _("The employer is registered and awaits verification."))
            return redirect("desk:jobs_employers")
    status = request.GET.get("status", "")
    employers = access.employers(request.user).select_related("office")
    if status in EmployerStatus.values:
        employers = employers.filter(status=status)
    page = Paginator(employers.order_by("status", "name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/jobs/employers.html",
        {"page": page, "form": form, "status": status, "statuses": EmployerStatus.choices},
    )


@login_required
@require_POST
def employer_status_view(request: HttpRequest, uuid: str) -> HttpResponse:
    _offices(request)
    employer = access.employers(request.user).filter(uuid=uuid).first()
    if employer is None:
        raise Http404("employer")
    try:
        actions.set_employer_status(
            actor=request.user,
            employer=employer,
            status=request.POST.get("status", "")[:20],
            reason=request.POST.get("reason", "")[:500],
        )
    except DomainError as exc:
        errors.report(request, exc)
    else:
        messages.success(request, _("The employer's status is changed."))
    return redirect("desk:jobs_employers")


@login_required
@require_POST
def portal_totp_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a portal account's two-step verification off (a lost phone), from the client card."""
    account = PortalAccount.objects.select_related("client", "client__home_office").filter(pk=pk).first()
    client = account.client if account is not None else None
    if account is None or client is None or not has_perm_in(request.user, Perm.CLIENTS_EDIT, client.home_office):
        raise Http404("portal account")
    reason = request.POST.get("reason", "").strip()[:500]
    if not reason:
        messages.error(request, _("Say how you checked who the person is."))
    else:
        totp.reset_by_staff(actor=request.user, account=account, reason=reason)
        messages.success(request, _("Two-step verification of the portal account is off."))
    return redirect("clients:card", client_uuid=str(client.uuid))


@login_required
@require_GET
def cbop_export_view(request: HttpRequest) -> StreamingHttpResponse:
    offices = _offices(request)
    audit.record(
        "jobs.cbop_exported",
        actor=request.user,
        data={"offices": [o.pk for o in offices]},
        kind=AuditRecord.Kind.ACCESS,
    )
    response = StreamingHttpResponse(
        export.iter_json(export.exportable(offices)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="oferty-cbop.json"'
    return response

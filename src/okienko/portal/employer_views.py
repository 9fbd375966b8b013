"""Employers' offers on the portal (issue 19, item 2): a signed-in employer user creates, edits,
submits and withdraws job offers through ``jobs.actions`` (the workflow, audit and events live
there). The form shows the classifier's KZiS suggestions (a "suggest" button re-renders the form
with them, no JavaScript), requires the pay per the pay-transparency rule, and each offer shows its
moderation status and the moderator's reason. An unverified employer's offers stay unverified
until a county-office moderator approves them; a published offer lists matching consenting
candidates (pseudonymised) for a verified employer.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from okienko.core.errors import DomainError
from okienko.jobs import actions as job_actions
from okienko.jobs import search as job_search
from okienko.jobs.alerts import eures, scoring
from okienko.jobs.forms import OfferForm
from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers import search as cv_search
from okienko.jobs.seekers.models import PortalAccount
from okienko.jobs.states import OfferStatus
from okienko.portal.account_views import _account, _account_required

EDITABLE = (OfferStatus.DRAFT, OfferStatus.RETURNED)
WITHDRAWABLE = (OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.RETURNED, OfferStatus.PUBLISHED)


class EmployerOfferForm(OfferForm):
    """The office's offer form without the employer (the signed-in user's) and with the pay
    required (art. 18³ᶜᵃ of the Labour Code)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["employer"]
        self.fields["pay_min"].required = True
        self.fields["pay_min"].help_text = gettext_lazy(
            "Required: offers published from 24 December 2025 state the pay (an amount or a range)."
        )
        self.fields["occupation_code"].help_text = gettext_lazy(
            "Six digits of the KZiS 2023; press “Suggest the occupation” to see proposals."
        )
        for name in ("latitude", "longitude"):
            self.fields[name].widget = forms.HiddenInput()


def _employer(request: HttpRequest) -> Employer:
    employer = seeker_actions.employer_of(_account(request))
    if employer is None:
        raise Http404("employer")
    return employer


def _offer(employer: Employer, uuid: str) -> JobOffer:
    offer = JobOffer.objects.filter(employer=employer, uuid=uuid).first()
    if offer is None:
        raise Http404("offer")
    return offer


@_account_required(PortalAccount.Kind.EMPLOYER)
def offers_view(request: HttpRequest) -> HttpResponse:
    employer = _employer(request)
    offers = JobOffer.objects.filter(employer=employer).order_by("-created_at", "-pk")[:200]
    return render(request, "portal/employer/offers.html", {"employer": employer, "offers": offers})


def _suggestions(form: EmployerOfferForm) -> list[dict[str, Any]]:
    title = str(form.data.get("title") or "")[:200]
    description = str(form.data.get("description") or "")[:20_000]
    return job_actions.suggestions(title, description) if title.strip() else []


def _save(request: HttpRequest, employer: Employer, offer: JobOffer | None) -> HttpResponse:
    form = EmployerOfferForm(request.POST or None, instance=offer)
    suggestions: list[dict[str, Any]] = []
    intent = request.POST.get("intent", "save")
    if request.method == "POST":
        if intent == "suggest":
            suggestions = _suggestions(form)
            form.errors.clear()
        elif form.is_valid():
            actor = _account(request).user
            try:
                if offer is None:
                    offer = job_actions.create_offer(actor=actor, employer=employer, values=form.values())
                else:
                    offer = job_actions.update_offer(actor=actor, offer=offer, values=form.values())
                if intent == "submit":
                    job_actions.submit_offer(actor=actor, offer=offer)
            except DomainError as exc:
                errors: dict[str, Any] = dict(exc.errors) or {"": exc.message}
                for field, message in errors.items():
                    form.add_error(field if field in form.fields else None, str(message))
            else:
                return HttpResponseRedirect(reverse("portal:employer_offer", args=[offer.uuid]) + "?saved=1")
    context = {
        "form": form,
        "offer": offer,
        "employer": employer,
        "suggestions": suggestions or (offer.occupation_suggestions if offer is not None else []),
        "editable": offer is None or offer.status in EDITABLE,
    }
    status = 400 if request.method == "POST" and intent != "suggest" and form.errors else 200
    return render(request, "portal/employer/offer_form.html", context, status=status)


@_account_required(PortalAccount.Kind.EMPLOYER)
def new_offer_view(request: HttpRequest) -> HttpResponse:
    return _save(request, _employer(request), None)


@_account_required(PortalAccount.Kind.EMPLOYER)
def offer_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _employer(request)
    offer = _offer(employer, str(uuid))
    if request.method == "POST" or (offer.status in EDITABLE and "edit" in request.GET):
        if offer.status not in EDITABLE:
            return render(request, "portal/employer/offer.html", _detail(offer, employer), status=409)
        return _save(request, employer, offer)
    context = _detail(offer, employer)
    context["saved"] = "saved" in request.GET
    return render(request, "portal/employer/offer.html", context)


def _detail(offer: JobOffer, employer: Employer) -> dict[str, Any]:
    return {
        "offer": offer,
        "employer": employer,
        "pay": job_actions.pay_text(offer),
        "occupation_name": job_search.occupation_names().get(offer.occupation_code, ""),
        "editable": offer.status in EDITABLE,
        "withdrawable": offer.status in WITHDRAWABLE,
        "eures_url": eures.search_url(offer.occupation_code),
    }


@_account_required(PortalAccount.Kind.EMPLOYER)
@require_POST
def withdraw_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _employer(request)
    offer = _offer(employer, str(uuid))
    if offer.status in WITHDRAWABLE:
        with contextlib.suppress(DomainError):
            job_actions.withdraw_offer(
                actor=_account(request).user, offer=offer, reason=str(request.POST.get("reason", ""))[:2000]
            )
    return HttpResponseRedirect(reverse("portal:employer_offer", args=[offer.uuid]))


@_account_required(PortalAccount.Kind.EMPLOYER)
def matching_candidates_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _employer(request)
    if not employer.is_verified:
        return render(request, "portal/account/not_verified.html", status=403)
    offer = _offer(employer, str(uuid))
    if not cv_search.spend("search", employer):  # the candidate search's budget (no bulk harvesting)
        return render(request, "portal/limited.html", status=429)
    rows = [(cv, seeker_actions.summary(cv), scored) for cv, scored in scoring.candidates_for_offer(offer)]
    return render(request, "portal/employer/candidates.html", {"offer": offer, "rows": rows})


__all__ = [
    "EmployerOfferForm",
    "matching_candidates_view",
    "new_offer_view",
    "offer_view",
    "offers_view",
    "withdraw_view",
]

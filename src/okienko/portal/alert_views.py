"""Saved offer searches with alerts, offers matching my CV, and the one-click unsubscribe
(issue 19, items 5 and 6). The alerts page takes the offer search's filters (the same form as
``/oferty/``; its query string pre-fills it), the channels (e-mail and/or SMS) and how often."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from okienko.core.errors import DomainError
from okienko.jobs import search as job_search
from okienko.jobs.alerts import actions, eures, scoring
from okienko.jobs.alerts.models import Frequency, SavedSearch
from okienko.jobs.forms import OfferSearchForm
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers.models import PortalAccount
from okienko.portal.account_views import _account, _account_required


class SavedSearchForm(OfferSearchForm):
    name = forms.CharField(label=_("Name of the search"), max_length=120, required=False)
    by_email = forms.BooleanField(label=_("Send by e-mail"), required=False, initial=True)
    by_sms = forms.BooleanField(
        label=_("Send by SMS (never between 21:00 and 8:00; reply STOP to stop)"), required=False
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.AT_ONCE, widget=forms.RadioSelect
    )

    field_order = ["name", "q", "area", "near", "km", "occupation", "contract", "working_time", "pay_min", "verified"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("by_email") or data.get("by_sms")):
            self.add_error("by_email", _("Choose e-mail, SMS or both."))
        return data


def _search(account: PortalAccount, uuid: str) -> SavedSearch:
    found = SavedSearch.objects.filter(account=account, uuid=uuid).first()
    if found is None:
        raise Http404("saved search")
    return found


@_account_required(PortalAccount.Kind.SEEKER)
def alerts_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_search(
                    account=account,
                    name=data.get("name") or "",
                    filters=data,
                    by_email=bool(data.get("by_email")),
                    by_sms=bool(data.get("by_sms")),
                    frequency=data["frequency"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                return HttpResponseRedirect(reverse("portal:alerts") + "?saved=1")
    else:
        initial = {"by_email": True, "frequency": Frequency.AT_ONCE}
        form = SavedSearchForm(initial=initial)
        if request.GET.get("q") or request.GET.get("occupation") or request.GET.get("area"):
            prefill = OfferSearchForm(request.GET)
            if prefill.is_valid():
                form = SavedSearchForm(initial={**initial, **prefill.cleaned_data})
    searches = SavedSearch.objects.filter(account=account).order_by("-created_at")[:50]
    context = {"form": form, "searches": searches, "saved": "saved" in request.GET}
    return render(request, "portal/alerts/list.html", context, status=400 if form.errors else 200)


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def delete_view(request: HttpRequest, uuid: str) -> HttpResponse:
    account = _account(request)
    actions.delete_search(account=account, search=_search(account, str(uuid)))
    return HttpResponseRedirect(reverse("portal:alerts"))


ONE_CLICK = "List-Unsubscribe=One-Click"


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from an alert e-mail or SMS, no sign-in: the signed token names the saved search.

    GET only asks (mail scanners and link previews open links on their own); the button POSTs. A
    POST is also RFC 8058's one-click unsubscribe (``List-Unsubscribe=One-Click`` from the mail
    provider, without our cookies), so it needs no CSRF token: the signed link is the credential,
    and all it can do is stop the alerts of the search it names."""
    search = actions.search_for_token(token)
    if search is None:
        return render(request, "portal/alerts/unsubscribe.html", {"search": None}, status=400)
    if request.method == "POST":
        how = "one-click" if request.POST.get("List-Unsubscribe") == "One-Click" else "link"
        actions.unsubscribe(search, how=how)
        return render(request, "portal/alerts/unsubscribe.html", {"search": search, "done": True})
    return render(request, "portal/alerts/unsubscribe.html", {"search": search, "done": not search.active})


@_account_required(PortalAccount.Kind.SEEKER)
def matching_offers_view(request: HttpRequest) -> HttpResponse:
    """Offers matching my CV: the top 20, each with its score and the reasons."""
    account = _account(request)
    assert account.client is not None
    cv = seeker_actions.cv_of(account.client)
    rows = scoring.offers_for_cv(cv)
    names = job_search.occupation_names()
    occupation = cv.main_occupation
    context = {
        "rows": rows,
        "cv": cv,
        "occupation_name": names.get(occupation, ""),
        "eures_url": eures.search_url(occupation) if occupation else "",
    }
    return render(request, "portal/alerts/matching.html", context)

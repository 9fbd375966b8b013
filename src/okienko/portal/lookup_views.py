"""The residents' "check my report" pages (``portal.lookup``): by number and e-mail or phone, and
the signed "my reports" link. Every attempt counts against a per-IP hourly budget (``guard``)."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from okienko.cases.workflow import public_status
from okienko.portal import guard, lookup

LOOKUP = "lookup"
MY_REPORTS = "my_reports"


class LookupForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Report number"),
        max_length=60,
        help_text=gettext_lazy("As in the confirmation, e.g. LODZ/2026/000186."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("E-mail or phone given in the report"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class MyReportsForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _page(request: HttpRequest, lookup_form: LookupForm, link_form: MyReportsForm, **extra: object) -> HttpResponse:
    context = {"lookup_form": lookup_form, "link_form": link_form, **extra}
    return render(request, "portal/lookup.html", context)


@never_cache
def lookup_view(request: HttpRequest) -> HttpResponse:
    """Find one report by its number and the reporter's e-mail or phone."""
    if request.method != "POST":
        return _page(request, LookupForm(), MyReportsForm())
    if guard.limited(LOOKUP, request):
        return render(request, "portal/lookup_limited.html", status=429)
    form = LookupForm(request.POST)
    if not form.is_valid():  # re-shown with its errors, as the report form is (200)
        return _page(request, form, MyReportsForm())
    guard.count(LOOKUP, request)
    case = lookup.find_report(form.cleaned_data["number"], form.cleaned_data["contact"])
    if case is None:
        return _page(
            request,
            form,
            MyReportsForm(),
            not_found=_(
                "We found no report with this number and this e-mail or phone. Check both: the number is "
                "in the confirmation (e.g. LODZ/2026/000186), the e-mail or phone is the one you gave."
            ),
        )
    return HttpResponseRedirect(reverse("portal:case_status", args=[case.uuid]))


@never_cache
def my_reports_request_view(request: HttpRequest) -> HttpResponse:
    """Ask for a link to every report of an e-mail address; the answer is always the same."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("portal:lookup"))
    if guard.limited(MY_REPORTS, request):
        return render(request, "portal/lookup_limited.html", status=429)
    form = MyReportsForm(request.POST)
    if not form.is_valid():
        return _page(request, LookupForm(), form)
    guard.count(MY_REPORTS, request)
    if not request.POST.get(guard.HONEYPOT):
        lookup.send_reports_link(form.cleaned_data["email"])
    return render(request, "portal/my_reports_sent.html", {"email": form.cleaned_data["email"]})


@never_cache
def my_reports_view(request: HttpRequest, token: str) -> HttpResponse:
    """The reports of the address in a signed link, with their status."""
    try:
        email = lookup.read_token(token)
    except signing.SignatureExpired:
        return render(request, "portal/my_reports_invalid.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "portal/my_reports_invalid.html", {"expired": False}, status=400)
    rows = [(case, public_status(case.status)) for case in lookup.reports_of(email)]
    return render(request, "portal/my_reports.html", {"rows": rows})

"""Applications for job offers and the job seeker's CV document (issue 19, items 4 and 9).

A signed-in job seeker applies for a published offer from its page (``/oferty/<uuid>/aplikuj/``)
with a short letter and, if they keep one, their CV document; sees the status of each application
and may withdraw it (``/konto/aplikacje/``). The CV document is checked by its bytes (PDF, ODT or
DOCX) and is downloaded only by its owner or by the employer of an offer it was sent to. The
employer's users see the applications to their own offers, each opening logged as an access to
personal data and as a view of the CV, and invite or turn down the candidate.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from okienko.core.errors import DomainError
from okienko.jobs.models import JobOffer
from okienko.jobs.seekers import actions
from okienko.jobs.seekers.models import CV, Application, CVFile, PortalAccount
from okienko.portal.account_views import _account, _account_required
from okienko.portal.employer_views import _employer, _offer


class ApplyForm(forms.Form):
    letter = forms.CharField(
        label=_("A few words to the employer (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    with_file = forms.BooleanField(label=_("Attach my CV document"), required=False, initial=True)


class CVFileForm(forms.Form):
    file = forms.FileField(
        label=capfirst(_("CV document")),
        help_text=_("PDF, OpenDocument (ODT) or Word (DOCX), up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )


def _published(uuid: str) -> JobOffer:
    offer = JobOffer.objects.published().select_related("employer").filter(uuid=uuid).first()
    if offer is None:
        raise Http404("offer")
    return offer


@_account_required(PortalAccount.Kind.SEEKER)
def apply_view(request: HttpRequest, uuid: str) -> HttpResponse:
    account = _account(request)
    offer = _published(uuid)
    assert account.client is not None
    cv = CV.objects.filter(client=account.client).first()
    has_file = cv is not None and CVFile.objects.filter(cv=cv).exists()
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.apply(
                account=account,
                offer=offer,
                letter=form.cleaned_data["letter"],
                with_file=bool(form.cleaned_data["with_file"]),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            return HttpResponseRedirect(reverse("portal:applications") + "?sent=1")
    if not has_file:
        del form.fields["with_file"]
    status = 400 if form.errors else 200
    return render(request, "portal/applications/apply.html", {"offer": offer, "form": form, "cv": cv}, status=status)


@_account_required(PortalAccount.Kind.SEEKER)
def applications_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    mine = Application.objects.filter(cv__client=account.client).select_related("offer", "offer__employer")[:200]
    context = {"applications": mine, "sent": "sent" in request.GET, "withdrawn": "withdrawn" in request.GET}
    return render(request, "portal/applications/mine.html", context)


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def withdraw_view(request: HttpRequest, uuid: str) -> HttpResponse:
    try:
        actions.withdraw_application(account=_account(request), application_uuid=str(uuid))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("application") from exc
        return HttpResponseRedirect(reverse("portal:applications"))
    return HttpResponseRedirect(reverse("portal:applications") + "?withdrawn=1")


@_account_required(PortalAccount.Kind.SEEKER)
def cv_file_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    assert account.client is not None
    form = CVFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(actions.CV_FILE_MAX_BYTES + 1)
        try:
            actions.save_cv_file(account=account, data=data, name=upload.name or "cv")
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            return HttpResponseRedirect(reverse("portal:cv_file") + "?saved=1")
    current = CVFile.objects.filter(cv__client=account.client).first()
    context = {"form": form, "current": current, "saved": "saved" in request.GET}
    return render(request, "portal/applications/cv_file.html", context, status=400 if form.errors else 200)


@_account_required(PortalAccount.Kind.SEEKER)
def cv_file_download_view(request: HttpRequest) -> HttpResponse:
    current = CVFile.objects.filter(cv__client=_account(request).client).first()
    if current is None:
        raise Http404("cv file")
    return cast("HttpResponse", current.download())  # a streamed file; the decorator only passes it on


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def cv_file_delete_view(request: HttpRequest) -> HttpResponse:
    actions.delete_cv_file(account=_account(request))
    return HttpResponseRedirect(reverse("portal:cv_file"))


# --- employers ---------------------------------------------------------------------------------


@_account_required(PortalAccount.Kind.EMPLOYER)
def offer_applications_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _employer(request)
    offer = _offer(employer, uuid)
    applications = (
        Application.objects.filter(offer=offer)
        .exclude(status=Application.Status.WITHDRAWN)
        .select_related("cv", "cv__client")[:500]
    )
    return render(request, "portal/applications/employer_list.html", {"offer": offer, "applications": applications})


@_account_required(PortalAccount.Kind.EMPLOYER)
def employer_application_view(request: HttpRequest, uuid: str) -> HttpResponse:
    account = _account(request)
    employer = _employer(request)
    try:
        application = actions.employer_application(account=account, employer=employer, application_uuid=str(uuid))
    except DomainError as exc:
        raise Http404("application") from exc
    cv = application.cv
    context = {
        "application": application,
        "cv": cv,
        "contact": actions.contact_details(cv.client),
        "has_file": application.with_file and CVFile.objects.filter(cv=cv).exists(),
        "answered": "answered" in request.GET,
    }
    return render(request, "portal/applications/employer_detail.html", context)


@_account_required(PortalAccount.Kind.EMPLOYER)
@require_POST
def employer_answer_view(request: HttpRequest, uuid: str) -> HttpResponse:
    try:
        actions.answer_application(
            account=_account(request),
            employer=_employer(request),
            application_uuid=str(uuid),
            invite=request.POST.get("answer") == "invite",
        )
    except DomainError as exc:
        raise Http404("application") from exc
    return HttpResponseRedirect(reverse("portal:employer_application", args=[uuid]) + "?answered=1")


@_account_required(PortalAccount.Kind.EMPLOYER)
def employer_cv_file_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _employer(request)
    application = (
        Application.objects.filter(offer__employer=employer, uuid=uuid, with_file=True)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )
    found = CVFile.objects.filter(cv_id=application.cv_id).first() if application is not None else None
    if found is None or application is None:
        raise Http404("cv file")
    actions.record_file_download(account=_account(request), application=application)
    return cast("HttpResponse", found.download())

"""Portal accounts (issue 19, items 1 and 4): sign-in by client number + PIN or e-mail + password,
registration of job seekers and employers, "my matters" (/konto/), the CV and the consent to be
found, the data download, deletion request; verified employers' candidate search.

The signed-in account lives under the portal's own session key (``jobs.seekers.signin``), never
in ``request.user``: a portal user is nobody on the desk. Every page here is ``never_cache``, so
a withdrawn consent is not served from a cache either.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from okienko.accounts.models import TerritorialUnit
from okienko.cases.models import Case
from okienko.cases.workflow import public_status
from okienko.clients.models import ClientConsent
from okienko.core.errors import DomainError
from okienko.interactions.models import Interaction
from okienko.jobs.seekers import actions, search, signin, totp
from okienko.jobs.seekers.export import my_data
from okienko.jobs.seekers.models import CV, ContactRequest, PortalAccount, ProfileView
from okienko.notifications.models import Preference
from okienko.portal import guard
from okienko.portal.account_forms import (
    CandidateSearchForm,
    ContactRequestForm,
    CVForm,
    EmailSignInForm,
    EmployerRegistrationForm,
    PinSignInForm,
    SeekerRegistrationForm,
)

log = logging.getLogger(__name__)
SIGNIN = "signin"
REGISTER = "register"
View = Callable[..., HttpResponse]


def _account_required(kind: str | None = None) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            account = signin.current(request)
            if account is None:
                return HttpResponseRedirect(reverse("portal:account_signin") + "?next=" + request.path)
            if kind is not None and account.kind != kind:
                raise Http404("account kind")
            request.portal_account = account  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _account(request: HttpRequest) -> PortalAccount:
    account: PortalAccount = request.portal_account  # type: ignore[attr-defined]
    return account


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/konto/") and "//" not in target else reverse("portal:account")


def _verification_mail(account: PortalAccount) -> None:
    if not account.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL.rstrip("/") + reverse(
            "portal:account_verify", args=[actions.verification_token(account)]
        )
        body = _(
            "Hello,\n\nconfirm the e-mail address of your account on the labour office's portal by "
            "opening this link within 3 days:\n%(url)s\n\nIf you did not create the account, ignore "
            "this message.\n— Okienko"
        ) % {"url": url}
        message = EmailMessage(subject=_("Confirm your e-mail address"), body=body, to=[account.email])
    try:
        message.connection = get_connection(timeout=10)
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("portal: verification e-mail not sent: %s", exc)


# --- signing in and out ------------------------------------------------------------------------


@never_cache
def signin_view(request: HttpRequest) -> HttpResponse:
    pin_form, email_form = PinSignInForm(prefix="pin"), EmailSignInForm(prefix="email")
    error = ""
    status = 200
    if request.method == "POST":
        if guard.limited(SIGNIN, request):
            return render(request, "portal/limited.html", status=429)
        guard.count(SIGNIN, request)
        if request.POST.get("method") == "email":
            email_form = EmailSignInForm(request.POST, prefix="email")
            if email_form.is_valid():
                result = signin.check_email_password(
                    email_form.cleaned_data["email"], email_form.cleaned_data["password"]
                )
                if result.ok and result.account is not None:
                    return _first_step_passed(request, result.account)
                error = _unsuccessful(result)
        else:
            pin_form = PinSignInForm(request.POST, prefix="pin")
            if pin_form.is_valid():
                result = signin.check_client_pin(pin_form.cleaned_data["number"], pin_form.cleaned_data["pin"])
                if result.ok and result.client is not None:
                    return _first_step_passed(request, actions.account_for_client(result.client))
                error = _unsuccessful(result)
        status = 403 if error else 400
    context = {"pin_form": pin_form, "email_form": email_form, "error": error, "next": _next(request)}
    return render(request, "portal/account/signin.html", context, status=status)


def _first_step_passed(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    """Signed in at once, or asked for the authenticator's code when two-step verification is on."""
    if totp.is_on(account):
        totp.begin(request, account, _next(request))
        return HttpResponseRedirect(reverse("portal:account_signin_code"))
    signin.sign_in(request, account)
    return HttpResponseRedirect(_next(request))


def _unsuccessful(result: signin.Result) -> str:
    if result.locked:
        return _("Too many unsuccessful attempts. Signing in with these details is locked for 30 minutes.")
    if result.unverified:
        return _("Confirm your e-mail address first: open the link we sent you.")
    return _("These details do not match. Check them and try again.")


@require_POST
def signout_view(request: HttpRequest) -> HttpResponse:
    signin.sign_out(request)
    return HttpResponseRedirect(reverse("portal:home"))


@never_cache
def register_view(request: HttpRequest, employer: bool = False) -> HttpResponse:
    form_class = EmployerRegistrationForm if employer else SeekerRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        if guard.limited(REGISTER, request):
            return render(request, "portal/limited.html", status=429)
        if form.is_valid():
            guard.count(REGISTER, request)
            data = form.cleaned_data
            try:
                if employer:
                    account = actions.register_employer_user(
                        email=data["email"],
                        password=data["password"],
                        nip=data["nip"],
                        company=data["company"],
                        office=data["office"],
                        locality=data["locality"],
                        teryt_code=data["teryt_code"],
                    )
                else:
                    account = actions.register_seeker(
                        email=data["email"],
                        password=data["password"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        office=data["office"],
                    )
            except DomainError as exc:
                if exc.status == 409 and exc.field == "email":
                    # A known address gets the same answer as a new one (no account probing).
                    return render(request, "portal/account/registered.html", {"email": data["email"]})
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                _verification_mail(account)
                return render(request, "portal/account/registered.html", {"email": data["email"]})
    template = "portal/account/register.html"
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, "employer": employer}, status=status)


def register_employer_view(request: HttpRequest) -> HttpResponse:
    return register_view(request, employer=True)


@never_cache
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        actions.verify_email(token)
    except signing.SignatureExpired:
        return render(request, "portal/account/verify_failed.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "portal/account/verify_failed.html", {"expired": False}, status=400)
    return render(request, "portal/account/verified.html")


# --- my matters --------------------------------------------------------------------------------


@_account_required()
def account_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account.kind == PortalAccount.Kind.EMPLOYER:
        return _employer_home(request, account)
    client = account.client
    assert client is not None
    cases = [
        (case, public_status(case.status))
        for case in Case.objects.filter(client=client).select_related("service").order_by("-created_at")[:50]
    ]
    contacts = Interaction.objects.filter(client=client).order_by("-started_at")[:50]
    cv = CV.objects.filter(client=client).first()
    context = {
        "account": account,
        "client": client,
        "cases": cases,
        "contacts": contacts,
        "preference": Preference.objects.filter(client=client).first(),
        "consents": ClientConsent.objects.filter(client=client).order_by("topic"),
        "cv": cv,
        "requests": ContactRequest.objects.filter(cv=cv).select_related("employer")[:50] if cv else [],
        "views": ProfileView.objects.filter(cv=cv).select_related("employer")[:50] if cv else [],
    }
    return render(request, "portal/account/home.html", context)


def _employer_home(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    employer = actions.employer_of(account)
    requests = ContactRequest.objects.filter(employer=employer).select_related("cv")[:50] if employer else []
    return render(
        request, "portal/account/employer_home.html", {"account": account, "employer": employer, "requests": requests}
    )


@_account_required()
def my_data_view(request: HttpRequest) -> HttpResponse:
    """RODO art. 15/20: everything about me as JSON, as a download."""
    account = _account(request)
    data = my_data(account)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="moje-dane.json"'
    return response


@_account_required()
@require_POST
def delete_request_view(request: HttpRequest) -> HttpResponse:
    actions.request_deletion(account=_account(request))
    return render(request, "portal/account/deletion_requested.html")


# --- CV and consent ----------------------------------------------------------------------------


@_account_required(PortalAccount.Kind.SEEKER)
def cv_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    assert account.client is not None
    cv = actions.cv_of(account.client)
    if request.method == "POST":
        form = CVForm(request.POST)
        if form.is_valid():
            try:
                actions.save_cv(account=account, values=form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                return HttpResponseRedirect(reverse("portal:account_cv") + "?saved=1")
    else:
        form = CVForm(initial=_cv_initial(cv))
    context = {"form": form, "cv": cv, "consent_text": actions.CONSENT_TEXT, "saved": "saved" in request.GET}
    return render(request, "portal/account/cv.html", context, status=400 if form.errors else 200)


def _cv_initial(cv: CV) -> dict[str, Any]:
    return {
        "headline": cv.headline,
        "main_occupation": cv.main_occupation,
        "experience": "\n".join(
            f"{e.get('title', '')}; {e.get('occupation_code', '')}; {e.get('years', 0)}; {e.get('employer', '')}"
            for e in cv.experience
        ),
        "education": "\n".join(cv.education),
        "skills": ", ".join(cv.skills),
        "languages": "\n".join(f"{e['language']} {e['level']}" for e in cv.languages),
        "driving_licences": cv.driving_licences,
        "available_from": cv.available_from,
        "areas": " ".join(cv.areas),
        "working_time": cv.working_time,
    }


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def consent_view(request: HttpRequest) -> HttpResponse:
    actions.set_search_consent(account=_account(request), granted=request.POST.get("granted") == "1")
    return HttpResponseRedirect(reverse("portal:account_cv"))


@_account_required(PortalAccount.Kind.SEEKER)
@require_POST
def answer_request_view(request: HttpRequest, uuid: str) -> HttpResponse:
    try:
        actions.answer_contact(
            account=_account(request), request_uuid=str(uuid), accept=request.POST.get("answer") == "accept"
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("request") from exc
    return HttpResponseRedirect(reverse("portal:account") + "#requests")


# --- employers: candidates ---------------------------------------------------------------------


def _verified_employer(request: HttpRequest) -> Any:
    employer = actions.employer_of(_account(request))
    if employer is None or not employer.is_verified:
        return None
    return employer


def _county_names(cvs: list[CV]) -> dict[str, str]:
    codes = {cv.areas[0][:4] for cv in cvs if cv.areas and len(cv.areas[0]) >= 4}
    return dict(TerritorialUnit.objects.filter(code__in=codes).values_list("code", "name"))


def _summary(cv: CV, counties: dict[str, str]) -> str:
    county = counties.get(cv.areas[0][:4], "") if cv.areas else ""
    return actions.summary(cv, _("powiat %(name)s") % {"name": county} if county else "")


@_account_required(PortalAccount.Kind.EMPLOYER)
def candidates_view(request: HttpRequest) -> HttpResponse:
    employer = _verified_employer(request)
    if employer is None:
        return render(request, "portal/account/not_verified.html", status=403)
    form = CandidateSearchForm(request.GET or None)
    rows: list[tuple[CV, str]] = []
    more = False
    number = 1
    if request.GET and form.is_valid():
        if not search.spend("search", employer):
            return render(request, "portal/limited.html", status=429)
        data = form.cleaned_data
        filters = search.Filters(
            occupation=data.get("occupation") or "",
            skills=tuple(s.strip() for s in (data.get("skills") or "").split(",") if s.strip())[:5],
            area=data.get("area") or "",
            available_by=data.get("available_by"),
            working_time=data.get("working_time") or "",
        )
        number = data.get("page") or 1
        found, more = search.page(filters, number)
        counties = _county_names(found)
        rows = [(cv, _summary(cv, counties)) for cv in found]
    context = {
        "form": form,
        "rows": rows,
        "more": more,
        "page": number,
        "query": request.GET.urlencode() if request.GET else "",
        "searched": bool(request.GET) and form.is_valid(),
    }
    return render(request, "portal/account/candidates.html", context, status=400 if form.errors else 200)


@_account_required(PortalAccount.Kind.EMPLOYER)
def candidate_view(request: HttpRequest, uuid: str) -> HttpResponse:
    employer = _verified_employer(request)
    if employer is None:
        return render(request, "portal/account/not_verified.html", status=403)
    cv = search.profile(str(uuid))
    if cv is None:
        raise Http404("candidate")
    account = _account(request)
    form = ContactRequestForm(request.POST or None)
    notice = ""
    # A POST shows the profile too: it spends the view budget and is logged like a GET, so
    # posting to each candidate cannot page through profiles unlimited and unseen.
    if not search.spend("view", employer):
        return render(request, "portal/limited.html", status=429)
    actions.record_view(account=account, employer=employer, cv=cv)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_contact(account=account, employer=employer, cv=cv, message=form.cleaned_data["message"])
            notice = _("Your request was sent. You will see the candidate's details when they accept it.")
        except DomainError as exc:
            notice = str(exc.message)
    accepted = actions.accepted_contact(employer, cv)
    pending = ContactRequest.objects.filter(cv=cv, employer=employer, status=ContactRequest.Status.PENDING).exists()
    context = {
        "cv": cv,
        "summary": _summary(cv, _county_names([cv])),
        "details": actions.contact_details(cv.client) if accepted else None,
        "pending": pending,
        "form": form,
        "notice": notice,
    }
    return render(request, "portal/account/candidate.html", context)

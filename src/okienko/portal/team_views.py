"""The employer's team on the portal (issue 19, item 1: several users per employer).

``/konto/zespol/``: the members and the pending invitations of the employer the signed-in account
acts for; its owner invites a colleague by e-mail (rate-limited per connection, ``portal.guard``,
and per employer in ``jobs.team``), cancels an invitation and switches members off and on; a
recruiter sees the same lists without the controls. ``/konto/zaproszenie/<token>/``: the link
from the e-mail — a new account with a password, or the signed-in account with that address
accepts; an unknown link is a 404 page, an accepted, cancelled or expired one a 410 page.
The rules and the audit live in ``jobs.team``; every page here is ``never_cache``.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django import forms
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from okienko.core.errors import DomainError
from okienko.jobs import team
from okienko.jobs.models import EmployerInvitation, EmployerMembership
from okienko.jobs.seekers import signin
from okienko.jobs.seekers.models import PortalAccount
from okienko.portal import guard
from okienko.portal.account_views import _account, _account_required

log = logging.getLogger(__name__)
INVITE = "invite"
ACCEPT = "invitation"


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Colleague's e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=EmployerMembership.Role.choices,
        initial=EmployerMembership.Role.RECRUITER,
        help_text=gettext_lazy("A recruiter manages offers and applications; an administrator also manages the team."),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        help_text=gettext_lazy("At least 12 characters."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The passwords differ."))
        return data


def _invitation_mail(invitation: EmployerInvitation, token: str, inviter: PortalAccount) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL.rstrip("/") + reverse("portal:team_invitation", args=[token])
        body = _(
            "Hello,\n\n%(inviter)s invites you to act for %(employer)s on the labour office's portal "
            "(role: %(role)s). To accept, open this link within %(days)d days:\n%(url)s\n\n"
            "If you do not expect this invitation, ignore this message.\n— Okienko"
        ) % {
            "inviter": inviter.email or "",
            "employer": invitation.employer.name,
            "role": invitation.get_role_display(),
            "days": team.INVITATION_DAYS,
            "url": url,
        }
        subject = _("Invitation to the team of %(employer)s") % {"employer": invitation.employer.name}
        message = EmailMessage(subject=subject, body=body, to=[invitation.email])
    try:
        message.connection = get_connection(timeout=10)
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("portal: invitation e-mail not sent: %s", exc)


def _membership(request: HttpRequest) -> EmployerMembership:
    membership = team.membership_of(_account(request))
    if membership is None:
        raise Http404("employer")
    return membership


def _team_page(
    request: HttpRequest,
    membership: EmployerMembership,
    *,
    form: InviteForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    owner = team.is_owner(membership)
    context = {
        "employer": membership.employer,
        "owner": owner,
        "members": team.members(membership.employer, _account(request)),
        "invitations": team.pending(membership.employer),
        "form": (form or InviteForm()) if owner else None,
        "notice": notice,
        "done": request.GET.get("done", "") if status == 200 else "",
    }
    return render(request, "portal/team/team.html", context, status=status)


@_account_required(PortalAccount.Kind.EMPLOYER)
def team_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if request.method != "POST":
        return _team_page(request, membership)
    if guard.limited(INVITE, request):
        return render(request, "portal/team/limited.html", status=429)
    guard.count(INVITE, request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, membership, form=form, status=400)
    try:
        invitation, token = team.invite(
            account=_account(request), email=form.cleaned_data["email"], role=form.cleaned_data["role"]
        )
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _team_page(request, membership, form=form, status=exc.status)
        return _team_page(request, membership, form=form, notice=str(exc.message), status=exc.status)
    _invitation_mail(invitation, token, _account(request))
    return HttpResponseRedirect(reverse("portal:team") + "?done=invited")


def _act(request: HttpRequest, action: Any, done: str) -> HttpResponse:
    membership = _membership(request)
    try:
        action()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("team") from exc
        return _team_page(request, membership, notice=str(exc.message), status=exc.status)
    return HttpResponseRedirect(reverse("portal:team") + f"?done={done}")


@_account_required(PortalAccount.Kind.EMPLOYER)
@require_POST
def cancel_view(request: HttpRequest, uuid: str) -> HttpResponse:
    return _act(request, lambda: team.cancel(account=_account(request), invitation_uuid=str(uuid)), "cancelled")


@_account_required(PortalAccount.Kind.EMPLOYER)
@require_POST
def member_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, lambda: team.set_active(account=_account(request), membership_id=pk, active=False), "off")


@_account_required(PortalAccount.Kind.EMPLOYER)
@require_POST
def member_on_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, lambda: team.set_active(account=_account(request), membership_id=pk, active=True), "on")


# --- The link in the e-mail -------------------------------------------------------------------


def _gone(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "portal/team/invitation_gone.html", {"reason": reason}, status=status)


@never_cache
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = team.find(token)
    except team.InvitationGone as exc:
        return _gone(request, exc.reason, 410)
    except DomainError:
        return _gone(request, "unknown", 404)
    account = signin.current(request)
    mine = account is not None and (account.email or "").lower() == invitation.email.lower()
    holder = PortalAccount.objects.filter(email__iexact=invitation.email).only("kind").first()
    exists = holder is not None
    seeker_address = holder is not None and holder.kind != PortalAccount.Kind.EMPLOYER
    form = PasswordForm(request.POST or None) if account is None and not exists else None
    error = ""
    status = 200
    if request.method == "POST":
        if guard.limited(ACCEPT, request):
            return render(request, "portal/team/limited.html", status=429)
        guard.count(ACCEPT, request)
        try:
            if account is not None and mine:
                team.accept_signed_in(token=token, account=account)
                return HttpResponseRedirect(reverse("portal:team") + "?done=joined")
            if form is not None and form.is_valid():
                team.accept_with_password(token=token, password=form.cleaned_data["password"])
                return render(request, "portal/team/joined.html", {"employer": invitation.employer})
        except team.InvitationGone as exc:
            return _gone(request, exc.reason, 410)
        except DomainError as exc:
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            else:
                error = str(exc.message)
            status = exc.status
        else:
            error = "" if form is not None else _("Sign in with the invited address to accept the invitation.")
            status = 400 if (form is not None and form.errors) or error else 200
    context = {
        "invitation": invitation,
        "account": account,
        "mine": mine,
        "exists": exists,
        "seeker_address": team.SEEKER_ADDRESS if seeker_address and not error else "",
        "form": form,
        "error": error,
        "signin_url": reverse("portal:account_signin") + "?next=" + request.path,
    }
    return render(request, "portal/team/invitation.html", context, status=status)

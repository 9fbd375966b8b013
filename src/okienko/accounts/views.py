"""Login with an optional second step (TOTP), 2FA enrolment, logout, organisation switch."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts import access, actions
from okienko.accounts.forms import LoginForm, TokenForm
from okienko.accounts.middleware import SESSION_KEY
from okienko.accounts.models import Organisation, User
from okienko.core import audit

PENDING_USER = "okienko_2fa_pending_user"
PENDING_BACKEND = "okienko_2fa_pending_backend"
PENDING_NEXT = "okienko_2fa_next"
TWO_FACTOR_FAILURES = "okienko_2fa_failures"
MAX_TWO_FACTOR_FAILURES = 5


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("desk:home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            confirmed = list(devices_for_user(user, confirmed=True))
            next_url = _safe_next(request, reverse("desk:home"))
            if confirmed:
                request.session[PENDING_USER] = user.pk
                request.session[PENDING_BACKEND] = getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")
                request.session[PENDING_NEXT] = next_url
                request.session[TWO_FACTOR_FAILURES] = 0
                return redirect("accounts:login_2fa")
            login(request, user)
            audit.record("auth.login", actor=user, obj=user, kind="security")
            return HttpResponseRedirect(next_url)
        username = str(request.POST.get("username", ""))[:150]
        audit.record("auth.login_failed", actor=None, kind="security", data={"username": username})
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
def login_2fa_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    if user_id is None:
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.flush()
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            next_url = request.session.get(PENDING_NEXT) or reverse("desk:home")
            user.backend = request.session.get(PENDING_BACKEND)  # type: ignore[attr-defined]  # the attribute Django's login() reads to remember the backend
            login(request, user)
            otp_login(request, device)
            audit.record("auth.login", actor=user, obj=user, kind="security", data={"second_factor": True})
            return HttpResponseRedirect(next_url)
        failures = int(request.session.get(TWO_FACTOR_FAILURES, 0)) + 1
        request.session[TWO_FACTOR_FAILURES] = failures
        audit.record("auth.2fa_failed", actor=None, obj=user, kind="security", data={"attempt": failures})
        if failures >= MAX_TWO_FACTOR_FAILURES:
            request.session.flush()
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    return render(request, "accounts/login_2fa.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("auth.logout", actor=request.user, obj=request.user, kind="security")
    logout(request)
    return redirect("accounts:login")


@login_required
@never_cache
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and "start" in request.POST:
        actions.start_totp_enrolment(actor=user)
        return redirect("accounts:2fa_setup")
    if request.method == "POST" and device is not None and form.is_valid():
        if actions.confirm_totp_enrolment(actor=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-step verification is on."))
            return redirect("desk:home")
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    qr_svg = ""
    secret = ""
    if device is not None:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = io.BytesIO()
        image.save(buffer)
        qr_svg = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/2fa_setup.html",
        {"form": form, "device": device, "confirmed": confirmed, "qr_svg": qr_svg, "secret": secret},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; the password policy (length, common, numeric) applies."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:2fa_setup")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user  # the authenticated user whose password changed
        audit.record("auth.password_changed", actor=user, obj=user, kind="security")
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
@require_POST
def switch_organisation_view(request: HttpRequest) -> HttpResponse:
    code = str(request.POST.get("organisation", ""))
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404(_("There is no such organisation."))
    if organisation not in access.switchable_organisations(request.user):
        audit.record("auth.organisation_switch_denied", actor=request.user, obj=organisation, kind="security")
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You have no role in this organisation."))
    request.session[SESSION_KEY] = organisation.pk
    audit.record("auth.organisation_switched", actor=request.user, obj=organisation, organisation_id=organisation.pk)
    return redirect(_safe_next(request, reverse("desk:home")))

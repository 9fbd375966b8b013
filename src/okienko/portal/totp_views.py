"""Two-step verification on the portal (issue 19, item 1): the code step of signing in and the
page where an account turns it on or off (``okienko.jobs.seekers.totp``)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from okienko.jobs.seekers import signin, totp
from okienko.portal.account_views import _account, _account_required


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from the app"),
        min_length=6,
        max_length=9,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "size": 9}
        ),
    )


@never_cache
def signin_code_view(request: HttpRequest) -> HttpResponse:
    waiting = totp.pending(request)
    if waiting is None:
        return HttpResponseRedirect(reverse("portal:account_signin"))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = totp.finish(request, form.cleaned_data["token"])
            if result.ok:
                target = waiting.next if waiting.next.startswith("/konto/") and "//" not in waiting.next else ""
                return HttpResponseRedirect(target or reverse("portal:account"))
            if result.locked:
                context = {"form": CodeForm(), "error": _("Too many wrong codes. Sign in again in 30 minutes.")}
                return render(request, "portal/account/totp_signin.html", context, status=403)
            form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
            status = 403
    return render(request, "portal/account/totp_signin.html", {"form": form}, status=status)


@_account_required()
def setup_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    form = CodeForm(request.POST or None)
    message = ""
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == "start":
            totp.start(account)
            return HttpResponseRedirect(reverse("portal:account_totp"))
        if step in {"confirm", "off"} and form.is_valid():
            token = form.cleaned_data["token"]
            if step == "confirm" and totp.confirm(account, token):
                signin.sign_in(request, account, second_factor=True)
                message = _("Two-step verification is on. From now on you will be asked for a code when signing in.")
                form = CodeForm()
            elif step == "off" and totp.turn_off(account, token):
                message = _("Two-step verification is off.")
                form = CodeForm()
            else:
                form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
        if form.errors:
            status = 400
    on = totp.is_on(account)
    device = None if on else totp.pending_device(account)
    context = {
        "form": form,
        "on": on,
        "device": device,
        "qr_svg": totp.qr_svg(device) if device is not None else "",
        "secret": totp.secret(device) if device is not None else "",
        "message": message,
    }
    return render(request, "portal/account/totp_setup.html", context, status=status)

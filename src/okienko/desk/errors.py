"""A refused page or form for a signed-in member of staff renders in the desk layout, with the
reason and a way back; visitors who are not signed in keep the public site's error page
(``core.views``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from okienko.accounts.roles import Perm
from okienko.core import audit
from okienko.core import views as core_views

# What the object-level refusals (``PermissionDenied("case")``…) mean, in words.
OBJECT_REASONS = {
    "case": lambda: _("You may not see this case: it belongs to an office outside your scope, or it does not exist."),
    "client": lambda: _("You may not see this client: the record belongs to another office, or it does not exist."),
}


def reason_of(exception: Exception | None) -> str:
    code = str(exception.args[0]) if exception is not None and exception.args else ""
    if code in Perm.values:
        return _("This page needs a permission your roles do not give: %(perm)s.") % {"perm": Perm(code).label}
    if code in OBJECT_REASONS:
        return OBJECT_REASONS[code]()
    if " " in code:  # a sentence written for people (e.g. a domain refusal)
        return code
    return _("Your roles do not give access to this page.")


def _back_url(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not referer.endswith(request.get_full_path())
    ):
        return str(referer)
    return reverse("desk:home")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a refused form of a signed-in member of staff (the page was open too
    long, or they signed out and in elsewhere) in the desk layout, saying why and with a way back."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return core_views.csrf_failure(request, reason)
    audit.record(
        "security.csrf_rejected", actor=user, kind="security", data={"path": request.path[:200], "reason": reason[:200]}
    )
    message = _(
        "The form has expired, so nothing was saved: the page was open for a long time, or you signed in again "
        "in another window. Go back, reload the page and send the form again."
    )
    context = {"reason": message, "back_url": _back_url(request), "path": request.path, "expired": True}
    return render(request, "desk/403.html", context, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return core_views.permission_denied(request, exception)
    audit.record("security.permission_denied", actor=user, kind="security", data={"path": request.path[:200]})
    context = {"reason": reason_of(exception), "back_url": _back_url(request), "path": request.path}
    return render(request, "desk/403.html", context, status=403)

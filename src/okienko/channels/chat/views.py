"""The public end of the chat over HTTP: is anyone free to chat for this page's office, and
starting a chat (the conversation itself runs over the WebSocket, ``consumers``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from okienko.channels.chat import broadcast, service
from okienko.core import context
from okienko.core.errors import DomainError
from okienko.core.problems import title as problem_title

COOKIE = "okienko_chat"
COOKIE_SALT = "okienko.chat.visitor"
COOKIE_AGE = 30 * 24 * 3600
PROBLEM_BASE = "https://okienko.example/problems/"


def problem(status: int, slug: str, detail: str, **extra: Any) -> JsonResponse:
    """An error in the problem-details form the API uses (RFC 9457)."""
    body = {"type": PROBLEM_BASE + slug, "title": problem_title(status), "status": status}
    body.update({"detail": detail, **extra})
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _code(request: HttpRequest) -> str:
    code = request.GET.get("org", "") if request.method == "GET" else request.POST.get("org", "")
    return code.strip()[:60] if code.isascii() else "\x00"


@never_cache
@require_GET
def availability_view(request: HttpRequest) -> JsonResponse:
    """``{"available": …, "organisation": …}``: chat is offered only while a consultant of the
    page's office is online with room for another chat; otherwise the widget links the form."""
    code = _code(request)
    if code == "\x00":
        return problem(400, "validation-error", _("Unknown office."), errors={"org": [_("Unknown office.")]})
    found = service.availability(code)
    return JsonResponse(
        {
            "available": found.available,
            "organisation": found.organisation.code if found.organisation else None,
            "form": reverse("portal:services"),
        }
    )


def _visitor_key(request: HttpRequest) -> tuple[str, bool]:
    key = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT, max_age=COOKIE_AGE)
    if key and len(key) <= 64:
        return key, False
    return secrets.token_urlsafe(24), True


@never_cache
@require_POST
def start_view(request: HttpRequest) -> JsonResponse:
    """Start a chat for the visitor; answers its token and WebSocket address."""
    code = _code(request)
    found = service.availability("" if code == "\x00" else code)
    if code == "\x00" or found.organisation is None:
        return problem(400, "validation-error", _("Unknown office."), errors={"org": [_("Unknown office.")]})
    key, new_key = _visitor_key(request)
    try:
        session = service.start_session(
            organisation=found.organisation,
            visitor_key=key,
            ip=context.current().ip or request.META.get("REMOTE_ADDR"),
            name=request.POST.get("name", ""),
            email=request.POST.get("email", ""),
            page=request.POST.get("page", ""),
            transcript=request.POST.get("transcript") in ("1", "on", "true"),
        )
    except DomainError as exc:
        errors = {name: [str(message)] for name, message in exc.errors.items()}
        return problem(exc.status, exc.slug, str(exc.message), **({"errors": errors} if errors else {}))
    broadcast.send_sync(
        broadcast.queue_group(session.organisation_id), broadcast.queue_changed(session.organisation_id)
    )
    response = JsonResponse(
        {"token": session.token, "socket": f"/ws/chat/visitor/{session.token}/", "status": session.status},
        status=201,
    )
    if new_key:
        response.set_signed_cookie(
            COOKIE, key, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True, samesite="Lax", secure=request.is_secure()
        )
    return response

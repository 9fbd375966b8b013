"""RFC 9457 problem details for every API error.

Body: ``type``, ``title``, ``status``, ``detail``, ``instance`` and, for validation errors,
``errors`` (field → messages). Media type ``application/problem+json``.

Domain errors (``core.errors.DomainError``) are mapped here, once: their status, slug, message,
per-field errors and extra members; a stale version adds ``version`` and ``etag``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from okienko.core import audit
from okienko.core.errors import DomainError, StaleVersion
from okienko.core.problems import title as problem_title

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://okienko.example/problems/"
MEDIA_TYPE = "application/problem+json"

_SLUGS = {
    400: "validation-error",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    428: "precondition-required",
    429: "rate-limited",
    500: "server-error",
}


class ProblemError(exceptions.APIException):
    """Raise with a status, a detail and optional extra members (e.g. the current ``version``)."""

    def __init__(self, status_code: int, detail: StrOrPromise, *, slug: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.slug = slug
        self.extra = extra


def problem(
    status_code: int, detail: Any, *, instance: str = "", slug: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or _SLUGS.get(status_code, "error")),
        "title": problem_title(status_code),
        "status": status_code,
        "detail": str(detail),
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def from_domain(exc: DomainError) -> ProblemError:
    """The problem details of a domain error (the one mapping for the whole API)."""
    extra: dict[str, Any] = dict(exc.extra)
    if exc.errors:
        extra["errors"] = {name: [str(message)] for name, message in exc.errors.items()}
    if isinstance(exc, StaleVersion):
        extra.setdefault("version", exc.current_version)
        extra.setdefault("etag", f'"v{exc.current_version}"')  # as ``conditional.etag_for`` words it
    return ProblemError(exc.status, str(exc.message), slug=exc.slug, **extra)


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def handle(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every error becomes problem details, never an HTML page."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DomainError):
        exc = from_domain(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, RequestDataTooBig):
        exc = ProblemError(413, _("The request is too large."), slug="content-too-large")
    elif isinstance(exc, (BadRequest, SuspiciousOperation)):
        # Django's request parsing (too many fields, a body that is not UTF-8 …) met by a view
        # before ``core.limits`` could refuse it: the client's mistake, not a server error.
        exc = exceptions.ParseError(_("The request could not be read."))
    response = exception_handler(exc, context)
    if response is None:
        if isinstance(exc, Http404):
            response = Response(status=404)
        elif isinstance(exc, DjangoPermissionDenied):
            response = Response(status=403)
        else:
            log.exception("API request failed", exc_info=exc)
            body = problem(500, _("The error was logged. Try again in a moment."), instance=instance)
            return Response(body, status=500, content_type=MEDIA_TYPE)
    code = response.status_code
    if code == status.HTTP_403_FORBIDDEN and request is not None and request.user.is_authenticated:
        # as on the desk (core.views.permission_denied): every refusal is a security event
        audit.record("security.permission_denied", actor=request.user, kind="security", data={"path": instance[:200]})
    extra: dict[str, Any] = {}
    slug = None
    if isinstance(exc, ProblemError):
        detail: Any = exc.detail
        extra = exc.extra
        slug = exc.slug
    elif isinstance(exc, exceptions.ValidationError):
        detail = _("The request has invalid fields.")
        errors = _flatten(exc.detail)
        extra["errors"] = errors if isinstance(errors, dict) else {"non_field_errors": errors}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
    elif code == 404:
        detail = _("The object you asked for does not exist or is not visible to you.")
    else:
        detail = _("You may not do this.")
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        extra["retry_after"] = int(wait)
    body = problem(code, detail, instance=instance, slug=slug, **extra)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow", "ETag")}
    if code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="okienko"'
    return Response(body, status=code, headers=headers, content_type=MEDIA_TYPE)


def refused(request: HttpRequest, status_code: int, detail: object) -> JsonResponse:
    """``core.limits`` refusals (control characters, too many fields, too large) under ``/api/``."""
    slug = "content-too-large" if status_code == 413 else None
    body = problem(status_code, detail, instance=request.path, slug=slug)
    return JsonResponse(body, status=status_code, content_type=MEDIA_TYPE)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown addresses under ``/api/`` answer with problem details too."""
    body = problem(404, _("There is no API endpoint at this address."), instance=request.path)
    return JsonResponse(body, status=404, content_type=MEDIA_TYPE)

"""What every request must respect before a view sees it (issue 10, defects 5 and 10).

``InputLimitsMiddleware`` runs in both middleware chains (the full one and Open311's lean one) and
checks, once for every surface, the path, the query string and a form body (URL-encoded or
multipart): no forbidden control characters (``core.text``), at most
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes of form
data, UTF-8 only. A refusal is 400 (413 for a body that is too large), never the 500 Django's
parsing errors become when a view or DRF meets them first.

The refusal is worded in the format of the surface: an outer app registers a responder for its
path prefix (the REST API its problem details, Open311 its error document); other paths get the
HTML error page. JSON bodies are the REST API's parser's business (``api.parsers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.core import text

Message = str | Promise
Responder = Callable[[HttpRequest, int, Message], HttpResponse]

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
TOO_LARGE = _("The request is too large.")
TOO_MANY_FIELDS = _("The request has too many fields.")
UNREADABLE = _("The request body could not be read; send form data encoded in UTF-8.")

_responders: dict[str, Responder] = {}


def register_responder(prefix: str, responder: Responder) -> None:
    """Word refusals of requests under ``prefix`` with ``responder(request, status, message)``."""
    _responders[prefix] = responder


def refusal(request: HttpRequest, status: int, message: Message) -> HttpResponse:
    """The response refusing ``request``, in the format of the surface it was sent to."""
    for prefix, responder in _responders.items():
        if request.path.startswith(prefix):
            return responder(request, status, message)
    title = _("The request is too large") if status == 413 else _("Bad request")
    context = {"status": status, "title": title, "message": message}
    return render(request, "errors/error.html", context, status=status)


def check(request: HttpRequest) -> tuple[int, Message] | None:
    """``(status, message)`` when ``request`` breaks a limit, ``None`` when it may proceed."""
    try:
        if text.FORBIDDEN.search(request.path) or text.forbidden_in(request.GET):
            return 400, text.MESSAGE
        if request.method == "POST" and request.content_type in FORM_TYPES and text.forbidden_in(request.POST):
            return 400, text.MESSAGE
    except RequestDataTooBig:
        return 413, TOO_LARGE
    except (TooManyFieldsSent, TooManyFilesSent):
        return 400, TOO_MANY_FIELDS
    except (BadRequest, SuspiciousOperation, MultiPartParserError, UnicodeDecodeError):
        return 400, UNREADABLE
    return None


class InputLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = check(request)
        if refused is not None:
            return refusal(request, *refused)
        return self.get_response(request)


class BodySizeLimit:
    """ASGI wrapper refusing request bodies over ``max_bytes`` before anything reads them.

    Django's ASGI handler spools a whole body (to a temporary file past a few megabytes) before any
    middleware runs, so the form limits above come too late for a huge upload. A declared
    ``Content-Length`` over the limit is answered 413 at once; a body that grows past the limit
    while streaming (chunked, or longer than declared) is cut off as a disconnect.
    """

    def __init__(self, app: Any, max_bytes: int, by_path: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Exact paths allowed a larger body (a large upload such as a Syriusz export).
        self.by_path = dict(by_path or {})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(str(scope.get("path", "")), self.max_bytes)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send)
            return
        received = 0

        async def limited() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Any) -> None:
        body = b'{"status": 413, "title": "Request Entity Too Large"}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

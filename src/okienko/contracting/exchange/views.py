"""The exchange endpoints between installations (``/exchange/v1/``): no session, no CSRF token,
no API token — each request is a signed JWS that authenticates itself (``transport_https``).
Every answer is JSON (an ack envelope, JSON Lines or a problem document), never a 500."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from okienko.contracting.exchange import envelope, transport_https
from okienko.contracting.exchange.transport_https import JOSE, JSONL, PullRefused, problem

log = logging.getLogger(__name__)

ACCEPTED_TYPES = frozenset({JOSE, "application/json"})


def _problem(reason: str, detail: str = "", *, status: int | None = None) -> HttpResponse:
    document = problem(reason, detail, status=status)
    response = HttpResponse(json.dumps(document), status=document["status"], content_type="application/problem+json")
    if document["status"] == 405:
        response["Allow"] = "POST"
    return response


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _read(request: HttpRequest, limit: int) -> bytes | HttpResponse:
    """The body (at most ``limit`` bytes) or the refusal: wrong method, type, size or rate."""
    if request.method != "POST":
        return _problem("method_not_allowed", "POST an envelope", status=405)
    if not transport_https.allowed(_address(request)):
        return _problem("rate_limited", status=429)
    kind = request.content_type.lower() if request.content_type else ""
    if kind not in ACCEPTED_TYPES:
        return _problem("unsupported_media_type", kind[:80], status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _problem("malformed", "Content-Length")
    if declared > limit:
        return _problem("too_large", f"{declared} bytes")
    # Read from the stream: request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE, below ours.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _problem("too_large", f"more than {limit} bytes")
    return body


@csrf_exempt
def messages_view(request: HttpRequest) -> HttpResponse:
    """POST one envelope; the answer is the signed ack (or a problem document)."""
    body = _read(request, envelope.max_bytes())
    if isinstance(body, HttpResponse):
        return body
    try:
        status, kind, text = transport_https.answer(body)
    except Exception:
        log.exception("exchange: an envelope could not be processed")
        return _problem("unavailable", status=503)
    return HttpResponse(text, status=status, content_type=kind)


@csrf_exempt
def pull_view(request: HttpRequest) -> HttpResponse:
    """POST a signed pull request; the answer is a JSON Lines body of the messages waiting."""
    body = _read(request, 8192)
    if isinstance(body, HttpResponse):
        return body
    try:
        partner = transport_https.verify_pull(body)
        lines = transport_https.pull_body(partner)
    except PullRefused as refused:
        return _problem(refused.reason, refused.detail)
    except Exception:
        log.exception("exchange: a pull could not be answered")
        return _problem("unavailable", status=503)
    return HttpResponse(lines, content_type=f"{JSONL}; charset=utf-8")

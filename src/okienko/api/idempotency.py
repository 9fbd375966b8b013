"""``Idempotency-Key`` on POST: the first response is stored and replayed for retries.

The key is unique per caller (token or user). The record is inserted in the same transaction
as the work it guards, so a concurrent retry waits on the unique index and then replays
instead of creating a second object. The same key with a different body answers 422.

A record is replayed for ``API_IDEMPOTENCY_KEEP_HOURS`` (24 by default); after that the key
is free again and ``purge_expired`` (the ``purge_idempotency_keys`` command and an hourly beat
task) deletes the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.api.models import IdempotencyRecord
from okienko.api.permissions import token_of
from okienko.api.problems import ProblemError
from okienko.core import clock

HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag")


def keep_for() -> dt.timedelta:
    """How long a stored response is replayed (setting ``API_IDEMPOTENCY_KEEP_HOURS``)."""
    return dt.timedelta(hours=getattr(settings, "API_IDEMPOTENCY_KEEP_HOURS", 24))


def purge_expired() -> int:
    """Delete the records older than the replay window; return how many were deleted.

    Not audited: a record is a cached response, not a state change of the domain.
    """
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lte=clock.now() - keep_for()).delete()
    return deleted


def _principal(request: Request) -> str:
    token = token_of(request)
    return f"token:{token.pk}" if token is not None else f"user:{request.user.pk}"


def request_hash(request: Request) -> str:
    body = json.dumps(request.data, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ProblemError(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            _("This Idempotency-Key was already used with a different request body."),
            slug="idempotency-key-reused",
        )
    if record.status_code == 0:
        raise ProblemError(
            status.HTTP_409_CONFLICT, _("A request with this Idempotency-Key is still being processed; retry later.")
        )
    headers = dict(record.response_headers)
    headers["Idempotent-Replayed"] = "true"
    return Response(record.response_body, status=record.status_code, headers=headers)


def idempotent(request: Request, work: Callable[[], Response]) -> Response:
    """Run ``work`` once per ``Idempotency-Key`` (when the header is present)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return work()
    if len(key) > 200:
        raise ProblemError(status.HTTP_400_BAD_REQUEST, _("The Idempotency-Key may have at most 200 characters."))
    principal = _principal(request)
    digest = request_hash(request)
    existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
    if existing is not None and existing.created_at > clock.now() - keep_for():
        return _replay(existing, digest)
    if existing is not None:
        existing.delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal, key=key, request_hash=digest, path=request.path[:300], created_at=clock.now()
            )
            response = work()
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            record.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
            record.save(update_fields=["status_code", "response_body", "response_headers"])
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    return response


class IdempotentCreateMixin:
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        parent: Callable[..., Response] = super().create  # type: ignore[misc]  # the mixin's super() is the view class it is mixed into
        return idempotent(request, lambda: parent(request, *args, **kwargs))


def idempotent_committed(request: Request, work: Callable[[], Response]) -> Response:
    """``idempotent`` for actions that commit what they refuse (Kontraktor's access log and
    security entries, ADR 0061): ``work`` does not run inside a transaction of this function,
    so a refusal the action wrote before raising stays written.

    The key is claimed first (a committed record with status 0, so a concurrent retry answers
    409 "still being processed"); the response is stored after ``work``; a failure frees the key.
    ``work`` must make its changes in its own transaction(s).
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return work()
    if len(key) > 200:
        raise ProblemError(status.HTTP_400_BAD_REQUEST, _("The Idempotency-Key may have at most 200 characters."))
    principal = _principal(request)
    digest = request_hash(request)
    existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
    if existing is not None and existing.created_at > clock.now() - keep_for():
        return _replay(existing, digest)
    if existing is not None:
        existing.delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal, key=key, request_hash=digest, path=request.path[:300], created_at=clock.now()
            )
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    try:
        response = work()
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 400:
        record.delete()
        return response
    record.status_code = response.status_code
    record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    record.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
    record.save(update_fields=["status_code", "response_body", "response_headers"])
    return response

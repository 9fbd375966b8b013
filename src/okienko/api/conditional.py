"""ETags and conditional requests (optimistic concurrency).

Objects with a ``version`` field (cases) get the strong ETag ``"v<version>"``; others a digest
of their representation. ``If-None-Match`` on GET answers 304; a stale ``If-Match`` on a write
answers 412 with the current ``version``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from okienko.api.problems import ProblemError


def etag_for(obj: Model, data: Any = None) -> str:
    version = getattr(obj, "version", None)
    if isinstance(version, int):
        return f'"v{version}"'
    raw = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True).encode()
    return f'"{hashlib.sha256(raw).hexdigest()[:32]}"'


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return bool(header) and ("*" in _tags(header) or etag in _tags(header))


def check_if_match(request: Request, obj: Model, data: Any = None) -> None:
    """Raise 412 when ``If-Match`` is given and does not name the current version."""
    header = request.headers.get("If-Match", "")
    if not header:
        return
    current = etag_for(obj, data)
    if "*" in _tags(header) or current in _tags(header):
        return
    extra: dict[str, Any] = {}
    version = getattr(obj, "version", None)
    if isinstance(version, int):
        extra["version"] = version
    raise ProblemError(
        status.HTTP_412_PRECONDITION_FAILED,
        _("The object was changed by someone else since you read it; read it again and retry."),
        etag=current,
        **extra,
    )


def with_etag(request: Request, obj: Model, data: Any) -> Response:
    etag = etag_for(obj, data)
    if request.method in ("GET", "HEAD") and not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag})


class ConditionalRetrieveMixin:
    """For ``RetrieveModelMixin`` views: ETag on GET, 304 on a matching ``If-None-Match``."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self  # mixed into a GenericAPIView, which provides these
        obj = view.get_object()
        data = view.get_serializer(obj).data
        return with_etag(request, obj, data)

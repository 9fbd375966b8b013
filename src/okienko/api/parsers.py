"""Request body parsers of the REST API (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

JSON bodies are limited to ``API_MAX_JSON_BYTES`` (1 MiB; 413 problem beyond), nesting too deep
for the decoder is a 400 problem instead of a ``RecursionError``, and every string in the document
(keys too) follows the input rule of ``core.text``. Form bodies are checked before the view by
``core.limits.InputLimitsMiddleware``; these parsers only read what it let through.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError

from okienko.core import text

DEFAULT_MAX_JSON_BYTES = 1024 * 1024


def max_json_bytes() -> int:
    return int(getattr(settings, "API_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES))


class ContentTooLarge(APIException):
    """413, as problem details ``content-too-large`` (``api.problems``)."""

    status_code = 413
    default_code = "content_too_large"


def _too_large(limit: int) -> ContentTooLarge:
    return ContentTooLarge(_("A JSON body may have at most %(limit)d bytes.") % {"limit": limit})


def _declared_length(context: Mapping[str, Any]) -> int | None:
    request = context.get("request")
    meta = getattr(request, "META", {}) if request is not None else {}
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        context = parser_context or {}
        limit = max_json_bytes()
        declared = _declared_length(context)
        if declared is not None and declared > limit:
            raise _too_large(limit)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise _too_large(limit)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
        if text.forbidden_in(data):
            raise ParseError(str(text.MESSAGE))
        return data

"""The language of what Okienko itself writes to GeoReport clients (texts of updates, errors).

GeoReport clients expect English, so it is English unless the client prefers Polish in
``Accept-Language`` — the site's default language (Polish, chosen by ``LocaleMiddleware``) is not
used here. Callers activate it with ``translation.override`` only where they build such texts
(errors are rendered in it by ``views.endpoint``; the success path of the intake does no
language work).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

LANGUAGES = ("en", "pl")


def language_of(request: HttpRequest) -> str:
    """``pl`` when the client prefers Polish to English in ``Accept-Language``; else ``en``.

    Django's own parser ranks the header (by quality, then position; a malformed header is
    ignored); the first of our languages with a positive quality wins."""
    for tag, quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and quality > 0:
            return primary
    return "en"

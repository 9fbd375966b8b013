"""The language of what Okienko itself writes to GeoReport clients (texts of updates, errors).

GeoReport clients expect English, so it is English unless the client prefers Polish in
``Accept-Language`` — the site's default language (Polish, chosen by ``LocaleMiddleware``) is not
used here. Callers activate it with ``translation.override`` only where they build such texts
(errors are rendered in it by ``views.endpoint``; the success path of the intake does no
language work).
"""

from __future__ import annotations

from django.http import HttpRequest

LANGUAGES = ("en", "pl")


def language_of(request: HttpRequest) -> str:
    """``pl`` when the client prefers Polish to English in ``Accept-Language``; else ``en``."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "en"

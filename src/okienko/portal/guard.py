"""Abuse protection for the public forms without third-party CAPTCHA services (ADR 0035).

Three cheap checks: a honeypot field people never see, a minimum time between showing the form
and sending it (a signed timestamp, so it cannot be forged), and a per-IP limit counted in the
Django cache. The IP is hashed before it becomes part of a cache key. It is the address resolved
once for every per-IP decision (``core.middleware.client_ip``: ``X-Forwarded-For`` only from
``OKIENKO_TRUSTED_PROXIES``). A report counts when it is sent, when the honeypot is filled and
when its file is refused, so a hostile upload cannot be retried without end.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from okienko.core import clock
from okienko.core.middleware import client_ip

HONEYPOT = "website"
STARTED = "started"
_SALT = "okienko.portal.started"


def started_token() -> str:
    """A signed "the form was shown at" value for the hidden ``started`` field."""
    return signing.dumps(clock.now().timestamp(), salt=_SALT)


def too_fast(token: str) -> bool:
    """True when the form came back sooner than ``PORTAL_MIN_FILL_SECONDS`` or the token is forged."""
    try:
        shown = float(signing.loads(token, salt=_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    minimum = float(getattr(settings, "PORTAL_MIN_FILL_SECONDS", 3))
    return clock.now().timestamp() - shown < minimum


def _key(scope: str, request: HttpRequest) -> str:
    ip = client_ip(request) or "unknown"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:24]
    hour = int(clock.now().timestamp() // 3600)
    return f"portal:rl:{scope}:{digest}:{hour}"


def limit_for(scope: str) -> int:
    limits = {"report": 10, "deflect": 30, "lookup": 10, "my_reports": 5, "geocode": 120}
    configured = getattr(settings, "PORTAL_RATE_LIMITS", {})
    return int(configured.get(scope, limits.get(scope, 10)))


def limited(scope: str, request: HttpRequest) -> bool:
    """Has this IP used up its hourly budget for ``scope``?"""
    return int(cache.get(_key(scope, request), 0)) >= limit_for(scope)


def count(scope: str, request: HttpRequest) -> None:
    key = _key(scope, request)
    cache.add(key, 0, timeout=3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)

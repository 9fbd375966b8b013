"""Machine-to-machine endpoints served through a shorter middleware chain (ADR 0040).

Open311 clients send an api_key, never a session cookie or a CSRF token, and read JSON or XML,
not HTML: sessions, authentication, two-factor, the organisation switcher, messages, CSRF,
clickjacking and CSP headers and login lockout do nothing for them but cost time on the hottest
write path of the installation. Requests under ``LEAN_PREFIXES`` therefore go to a second Django
handler built with ``LEAN_MIDDLEWARE``: security headers, the request id and audit context with the
access log, the language from ``Accept-Language``, URL normalisation, and the input limits
(``core.limits``). Both entry points
(``wsgi.py``, ``asgi.py``) dispatch the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler

LEAN_PREFIXES = ("/open311/",)
LEAN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "okienko.core.middleware.RequestContextMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "okienko.core.limits.InputLimitsMiddleware",
]


@contextmanager
def _middleware(chain: list[str]) -> Iterator[None]:
    """Build a handler with ``chain`` (at start-up, before any request is served)."""
    saved = settings.MIDDLEWARE
    settings.MIDDLEWARE = chain
    try:
        yield
    finally:
        settings.MIDDLEWARE = saved


class LeanWSGIHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        with _middleware(LEAN_MIDDLEWARE):
            super().load_middleware(is_async)


class LeanASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        with _middleware(LEAN_MIDDLEWARE):
            super().load_middleware(is_async)


def is_lean(path: str) -> bool:
    return path.startswith(LEAN_PREFIXES)


class WSGIDispatch:
    def __init__(self, default: WSGIHandler, lean: WSGIHandler) -> None:
        self.default, self.lean = default, lean

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = self.lean if is_lean(environ.get("PATH_INFO", "")) else self.default
        return handler(environ, start_response)


class ASGIDispatch:
    def __init__(self, default: ASGIHandler, lean: ASGIHandler) -> None:
        self.default, self.lean = default, lean

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        handler = self.lean if scope.get("type") == "http" and is_lean(scope.get("path", "")) else self.default
        await handler(scope, receive, send)

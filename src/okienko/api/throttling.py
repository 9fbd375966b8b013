"""Rate limits per API token (the token's ``rate_limit`` per minute) and per signed-in user."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from okienko.api.permissions import token_of
from okienko.core.middleware import client_ip


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def allow_request(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        if token is not None:
            self.num_requests, self.duration = token.rate_limit, 60
        else:
            num, duration = self.parse_rate(self.get_rate())
            self.num_requests, self.duration = num or 600, duration or 60
        self.rate = f"{self.num_requests}/m"
        return super().allow_request(request, view)

    def get_ident(self, request: Request) -> str:
        """The client address as everywhere else (``core.middleware.client_ip``), not DRF's, which
        believes any ``X-Forwarded-For``."""
        return client_ip(request._request) or "unknown"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = token_of(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

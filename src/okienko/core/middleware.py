from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from okienko.core import context

access_log = logging.getLogger("okienko.access")


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded header is trusted only behind a configured proxy.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Bind a request id, the client IP and the channel to the audit context of this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        ctx = context.RequestContext(
            channel="api" if request.path.startswith(("/api/", "/open311/")) else "web",
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            ctx = context.RequestContext(request_id=incoming, channel=ctx.channel, ip=ctx.ip, user_agent=ctx.user_agent)
        started = time.perf_counter()
        with context.using(ctx):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path[:300],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
        response["X-Request-ID"] = ctx.request_id
        return response

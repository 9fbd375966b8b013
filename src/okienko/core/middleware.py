from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from okienko.core import context


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
        with context.using(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from okienko.core import context

access_log = logging.getLogger("okienko.access")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def trusted_proxies() -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` (``OKIENKO_TRUSTED_PROXIES``): the reverse proxies whose
    ``X-Forwarded-For`` is believed. None by default."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``: the one place every per-IP decision
    (login lockout, the portal's limits, the anonymous API throttle, the audit log) takes it from.

    ``REMOTE_ADDR``, unless that is a configured trusted proxy: then the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy (the left part of the header is whatever
    the client wrote and proves nothing). Without trusted proxies the header is ignored.
    """
    remote = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return None
    networks = trusted_proxies()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    found = remote
    for hop in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage a trusted proxy would not write: stop at the last address it vouched for
        found = address
        if not _trusted(address, networks):
            break
    return str(found)


def is_loopback(request: HttpRequest) -> bool:
    ip = client_ip(request)
    return ip is not None and ipaddress.ip_address(ip).is_loopback


# Paths whose pages and API answers carry personal data: never kept by a browser or a shared cache.
PRIVATE_PREFIXES = ("/desk/", "/api/", "/accounts/", "/admin/")


def protect_response(request: HttpRequest, response: HttpResponse) -> None:
    """Headers every response gets: ``Permissions-Policy``; and ``Cache-Control: no-store`` (with
    Django's other never-cache headers) for staff paths and for anything answered to a signed-in
    user or an API token, so no browser or shared cache keeps personal data. Public pages (the
    portal, knowledge, Open311 GETs, static files) keep their own caching, and so does a view
    that chose its ``Cache-Control`` itself (e.g. the map boundaries, private for an hour)."""
    policy = getattr(settings, "PERMISSIONS_POLICY", "")
    if policy and "Permissions-Policy" not in response:
        response["Permissions-Policy"] = policy
    if "Cache-Control" in response:
        return
    user = getattr(request, "user", None)
    if request.path.startswith(PRIVATE_PREFIXES) or (user is not None and user.is_authenticated):
        add_never_cache_headers(response)


class RequestContextMiddleware:
    """Bind a request id, the client IP and the channel to the audit context of this request;
    log the request; add the headers of ``protect_response``. In both middleware chains (the full
    one and Open311's lean one, ``conf.lean``)."""

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
        protect_response(request, response)
        return response

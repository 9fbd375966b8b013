"""Which webhook URLs Okienko may call (server-side request forgery protection).

A subscription URL must be http(s), carry no user name or password, and its host must resolve
only to public unicast addresses: loopback, private, shared (CGN), link-local, multicast,
reserved and unspecified addresses are refused, for IPv4 and IPv6, including IPv4 addresses
embedded in IPv6 (IPv4-mapped, 6to4, Teredo, NAT64). The check runs when a subscription is
made or changed and again for every delivery, on the address the connection then uses, so a
name that re-resolves to an internal address later (DNS rebinding) is refused too. Redirects are
never followed. ``WEBHOOK_ALLOW_PRIVATE`` turns the address check off (local receivers in tests
and development); the scheme, credential and redirect rules stay.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class UrlNotAllowed(ValueError):
    """The URL may not be called; the message says why (shown to the subscriber)."""


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def check_address(raw: str) -> None:
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        raise UrlNotAllowed(_("The address %(address)s is not valid.") % {"address": raw}) from None
    if not is_public(address):
        raise UrlNotAllowed(
            _("%(address)s is a loopback, private or otherwise internal address; webhooks go to public addresses only.")
            % {"address": raw}
        )


def split(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a URL Okienko may call, or ``UrlNotAllowed``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlNotAllowed(_("Enter an http or https address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlNotAllowed(_("Enter an http or https address."))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlNotAllowed(_("The address may not contain a user name or password; the payload is signed instead."))
    host = parts.hostname or ""
    if not host:
        raise UrlNotAllowed(_("Enter an http or https address."))
    return scheme, host, port or (443 if scheme == "https" else 80)


def check_url(url: str) -> None:
    """Refuse ``url`` unless Okienko may send webhooks to it (resolves the host name)."""
    _scheme, host, port = split(url)
    if allow_private():
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise UrlNotAllowed(_("The host %(host)s cannot be resolved.") % {"host": host}) from None
    if not addresses:
        raise UrlNotAllowed(_("The host %(host)s cannot be resolved.") % {"host": host})
    for address in addresses:
        check_address(address)


def _connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
    """``socket.create_connection`` that vets each resolved address before connecting to it."""
    host, port = address
    try:
        candidates = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    if not allow_private():
        for candidate in candidates:
            check_address(candidate)
    error: OSError | None = None
    for candidate in candidates:
        try:
            return socket.create_connection((candidate, port), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError(f"cannot connect to {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=getattr(self, "_context", None))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is the receiver's answer (a failed delivery), never a new target."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener() -> urllib.request.OpenerDirector:
    """An opener that ignores proxy variables, vets addresses on connect and follows no redirects."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _GuardedHTTPHandler(), _GuardedHTTPSHandler(), _NoRedirects()
    )

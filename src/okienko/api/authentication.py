"""Token authentication for systems: ``Authorization: Bearer okn_<prefix>_<secret>``.

Reusable by every app's API (``authentication_classes`` or the project default). The token's
service user becomes ``request.user``; the token is ``request.auth`` (see ``api.permissions``).
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from okienko.api.actions import digest, split_token
from okienko.api.models import ApiToken
from okienko.core import clock

LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


def token_from_secret(raw: str) -> ApiToken:
    """Return the usable token for ``raw`` or raise ``AuthenticationFailed``."""
    parsed = split_token(raw.strip())
    if parsed is None:
        raise exceptions.AuthenticationFailed(_("The API token is malformed."))
    prefix, full = parsed
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(full)):
        raise exceptions.AuthenticationFailed(_("The API token is not valid."))
    now = clock.now()
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("The API token has been revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        raise exceptions.AuthenticationFailed(_("The API token has expired."))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("The service user of this token is inactive."))
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        try:
            header = authentication.get_authorization_header(request).split()
        except UnicodeError as exc:  # a header str that is not ISO-8859-1 (only in-process callers)
            raise exceptions.AuthenticationFailed(_("The API token is malformed.")) from exc
        # Compared as bytes: any bytes may arrive in a header, and they are no reason for a 500.
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Bearer, without spaces."))
        try:
            raw = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The API token is malformed.")) from exc
        token = token_from_secret(raw)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="okienko"'

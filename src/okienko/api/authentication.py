"""Token authentication for systems: ``Authorization: Bearer okn_<prefix>_<secret>``.

Reusable by every app's API (``authentication_classes`` or the project default). The token's
service user becomes ``request.user``; the token is ``request.auth`` (see ``api.permissions``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from okienko.accounts import tokens
from okienko.accounts.tokens import ApiToken


def token_from_secret(raw: str) -> ApiToken:
    """Return the usable token for ``raw`` or raise ``AuthenticationFailed``."""
    try:
        return tokens.token_from_secret(raw)
    except tokens.TokenRejected as exc:
        raise exceptions.AuthenticationFailed(str(exc.message)) from None


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

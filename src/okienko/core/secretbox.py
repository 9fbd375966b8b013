"""Secrets the application must read back (a mailbox's IMAP password, an API key of a gateway),
stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``).

The key is derived from ``SECRET_KEY``; values written under an earlier key in
``SECRET_KEY_FALLBACKS`` still open, so the key can be rotated the way Django rotates its own.
A database dump alone then gives no password away.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_CONTEXT = b"okienko.core.secretbox/v1"


class SecretUnreadable(ValueError):
    """The stored value was not written with the current or a fallback key (or was altered)."""


def _fernet(key: str) -> Fernet:
    derived = hashlib.sha256(_CONTEXT + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _box() -> MultiFernet:
    keys = [str(settings.SECRET_KEY), *(str(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", []))]
    return MultiFernet([_fernet(k) for k in keys])


def seal(value: str) -> str:
    """``value`` encrypted (a URL-safe ASCII token); the empty string stays empty."""
    if not value:
        return ""
    return _box().encrypt(value.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The value ``seal`` encrypted; ``SecretUnreadable`` when no key opens it."""
    if not token:
        return ""
    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUnreadable("the stored secret cannot be decrypted with the configured keys") from exc

"""Consultants' browser phone (issue 16, part 8; optional): each consultant's SIP account on
Asterisk, which JsSIP on the desk's phone console registers with over WSS. The password is
sealed with ``core.secretbox`` (never rendered back; the admin only writes it) and handed only to
its owner's console. Imported by ``telephony.models`` (label ``telephony``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.core import secretbox

# The user part of a SIP URI we accept for an account (also a valid PJSIP endpoint name).
SIP_USERNAME = re.compile(r"\A[A-Za-z0-9_.\-]{1,64}\Z")


class AgentSipAccount(models.Model):
    """One consultant's account on the exchange for the browser phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        on_delete=models.CASCADE,
        related_name="sip_account",
    )
    username = models.CharField(
        _("SIP user name"),
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(
                SIP_USERNAME, _("Only Latin letters without accents, digits, dots, hyphens and underscores.")
            )
        ],
        help_text=_("The PJSIP endpoint and authentication user name on Asterisk."),
    )
    password_sealed = models.TextField(_("SIP password (encrypted)"), blank=True, editable=False)
    active = models.BooleanField(pgettext_lazy("account", "active"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("browser phone account")
        verbose_name_plural = _("browser phone accounts")

    def __str__(self) -> str:
        return f"{self.username} ({self.user})"

    def set_password(self, password: str) -> None:
        self.password_sealed = secretbox.seal(password)

    def password(self) -> str:
        return secretbox.unseal(self.password_sealed)

    @property
    def has_password(self) -> bool:
        return bool(self.password_sealed)


def browser_phone_enabled() -> bool:
    return bool(settings.TELEPHONY_WEBRTC_WSS_URL)


def account_for(user: Any) -> AgentSipAccount | None:
    """The consultant's active account with a password, when the browser phone is configured."""
    if not browser_phone_enabled() or not getattr(user, "is_authenticated", False):
        return None
    account = AgentSipAccount.objects.filter(user=user, active=True).first()
    if account is None or not account.has_password:
        return None
    return account


def client_config(account: AgentSipAccount) -> dict[str, Any]:
    """What the owner's console needs to register (the password included: only for its owner)."""
    domain = settings.TELEPHONY_WEBRTC_SIP_DOMAIN or _host(settings.TELEPHONY_WEBRTC_WSS_URL)
    return {
        "wss_url": settings.TELEPHONY_WEBRTC_WSS_URL,
        "uri": f"sip:{account.username}@{domain}",
        "username": account.username,
        "password": account.password(),
        "domain": domain,
        "ice_servers": list(settings.TELEPHONY_WEBRTC_ICE_SERVERS),
        "auto_answer": bool(settings.TELEPHONY_WEBRTC_AUTO_ANSWER),
        # What the console names as its phone at login, so the engine rings this browser.
        "phone": settings.TELEPHONY_WEBRTC_DIAL.format(username=account.username, domain=domain),
        # ... and names again when the browser phone disconnects: the phone the engine dials by default.
        "desk_phone": _desk_phone(account.user_id),
    }


def _desk_phone(user_id: int) -> str:
    try:
        return str(settings.TELEPHONY_AGENT_ENDPOINT).format(user=user_id)
    except (KeyError, IndexError, ValueError):
        return ""


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def permissions_policy(site_policy: str) -> str:
    """The site's Permissions-Policy with the microphone allowed for our own origin (the console
    with the browser phone; every other page keeps ``microphone=()``)."""
    parts = [p.strip() for p in site_policy.split(",") if p.strip() and not p.strip().startswith("microphone=")]
    return ", ".join([*parts, "microphone=(self)"])

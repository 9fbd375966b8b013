"""Optional two-step verification (TOTP, RFC 6238) for portal accounts (issue 19, item 1).

A portal account turns it on itself: an unconfirmed ``django_otp`` TOTP device is made for the
account's ``User``, the person scans the QR code into an authenticator app and confirms with one
code; from then on signing in with the client number + PIN or the e-mail + password is only the
first step, and the account is signed in after a valid six-digit code. Turning it off asks for a
current code too, so a borrowed session cannot quietly remove it.

The pending first step lives in the session for ``PENDING_SECONDS`` (no account is signed in until
the code is right). Wrong codes count in the same cache-kept lockout as wrong PINs and passwords
(``signin.failed``, keyed per account), on top of django_otp's own growing delay; codes are never
logged or audited, only the fact and the attempt number.
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.core import audit
from okienko.core.models import AuditRecord
from okienko.jobs.seekers import signin
from okienko.jobs.seekers.models import PortalAccount

PENDING_KEY = "okienko.portal_pending_2fa"
PENDING_SECONDS = 5 * 60
DEVICE_NAME = "portal"


def _office(account: PortalAccount) -> int | None:
    return account.client.home_office_id if account.client is not None else None


def _audit(action: str, account: PortalAccount, **data: Any) -> None:
    audit.record(
        f"jobs_seekers.{action}",
        actor=signin.ACTOR,
        obj=account,
        organisation_id=_office(account),
        data=data or None,
        kind=AuditRecord.Kind.SECURITY,
    )


def confirmed_device(account: PortalAccount) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=account.user_id, confirmed=True).first()


def pending_device(account: PortalAccount) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=account.user_id, confirmed=False).first()


def is_on(account: PortalAccount) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=account.user_id, confirmed=True).exists())


def start(account: PortalAccount) -> TOTPDevice | None:
    """A new unconfirmed device (an earlier unconfirmed one is replaced); None while it is on —
    replacing a working device must go through turning it off with a current code."""
    if is_on(account):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=account.user_id, confirmed=False).delete()
        device = TOTPDevice.objects.create(user_id=account.user_id, name=DEVICE_NAME, confirmed=False)
        _audit("totp_enrolment_started", account)
    return device


def _valid(device: TOTPDevice, token: str) -> bool:
    token = "".join(token.split())
    return token.isdigit() and len(token) == 6 and bool(device.verify_token(token))


def confirm(account: PortalAccount, token: str) -> bool:
    """Turn two-step verification on with the first code from the app."""
    device = pending_device(account)
    if device is None or is_on(account):
        return False
    with transaction.atomic():
        if not _valid(device, token):
            _audit("totp_enrolment_failed", account)
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit("totp_enabled", account)
    return True


def turn_off(account: PortalAccount, token: str) -> bool:
    """Turn it off, proven by a current code."""
    device = confirmed_device(account)
    if device is None:
        return True
    with transaction.atomic():
        if not _valid(device, token):
            _audit("totp_disable_failed", account)
            return False
        TOTPDevice.objects.filter(user_id=account.user_id).delete()
        _audit("totp_disabled", account)
    return True


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG data URL for the authenticator app."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into the app by hand."""
    plain = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(plain[i : i + 4] for i in range(0, len(plain), 4))


# --- the second step of signing in -------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    account: PortalAccount
    next: str


def begin(request: HttpRequest, account: PortalAccount, next_url: str) -> None:
    """Remember that ``account`` passed the first step; nobody is signed in yet."""
    request.session.cycle_key()
    request.session.pop(signin.SESSION_KEY, None)
    request.session[PENDING_KEY] = {"account": account.pk, "at": time.time(), "next": next_url}


def pending(request: HttpRequest) -> Pending | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("account"), int):
        return None
    if time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    account = PortalAccount.objects.select_related("client").filter(pk=data["account"], user__is_active=True).first()
    if account is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return Pending(account=account, next=str(data.get("next") or ""))


def _key(account: PortalAccount) -> str:
    return f"totp:{account.pk}"


def finish(request: HttpRequest, token: str) -> signin.Result:
    """Check the code of the pending account; sign it in when right (with the lockout)."""
    waiting = pending(request)
    if waiting is None:
        return signin.Result(ok=False)
    account = waiting.account
    key = _key(account)
    if signin.is_locked(key):
        request.session.pop(PENDING_KEY, None)
        return signin.Result(ok=False, locked=True)
    device = confirmed_device(account)
    if device is not None and _valid(device, token):
        signin.clear_failures(key)
        request.session.pop(PENDING_KEY, None)
        signin.sign_in(request, account, second_factor=True)
        return signin.Result(ok=True, account=account, client=account.client)
    result = signin.failed(key, account.client)
    if result.locked:
        request.session.pop(PENDING_KEY, None)
    return result


def reset_by_staff(*, actor: Any, account: PortalAccount, reason: str) -> None:
    """Staff of the client's office turn it off for a person who lost the phone (checked who they
    are at the counter or on the phone): audited under the staff member's name with the reason."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user_id=account.user_id).delete()
        audit.record(
            "jobs_seekers.totp_reset",
            actor=actor,
            obj=account,
            organisation_id=_office(account),
            data={"reason": reason[:500], "devices": removed},
            kind=AuditRecord.Kind.SECURITY,
        )

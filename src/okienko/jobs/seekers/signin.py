"""Signing in to the portal: client number + PIN, or e-mail + password; the portal's own session.

Lockout as on the phone line (``telephony.ivr.services``): ``PORTAL_SIGNIN_MAX_FAILURES``
(default 5) failures for one typed identifier within 15 minutes lock it for 30 minutes; the
counters live in the Django cache and are kept per *typed* identifier, so an unknown number or
address locks the same way and nobody can tell which exist. Each failure and each lock is a
security entry in the audit log; the PIN and the password are never logged, stored or audited.

Portal accounts never pass through Django's authentication backends (their ``User`` has an
unusable password), so the staff login, django-axes and ``/desk/`` do not know them: the portal
keeps the signed-in account under its own session key, and a staff session in the same browser
stays a separate thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from okienko.clients.actions import check_pin
from okienko.clients.models import Client
from okienko.core import audit, clock
from okienko.core.actors import SystemActor
from okienko.core.models import AuditRecord
from okienko.jobs.seekers.models import PortalAccount

log = logging.getLogger(__name__)

ACTOR = SystemActor("portal")
SESSION_KEY = "okienko.portal_account"
FAILURE_WINDOW = 15 * 60
LOCK_SECONDS = 30 * 60
DEFAULT_MAX_FAILURES = 5


@dataclass(frozen=True)
class Result:
    ok: bool
    client: Client | None = None
    account: PortalAccount | None = None
    locked: bool = False
    unverified: bool = False


def max_failures() -> int:
    return int(getattr(settings, "PORTAL_SIGNIN_MAX_FAILURES", DEFAULT_MAX_FAILURES))


def _failures_key(key: str) -> str:
    return f"portal:signin:failures:{key}"


def _lock_key(key: str) -> str:
    return f"portal:signin:locked:{key}"


def is_locked(key: str) -> bool:
    return bool(cache.get(_lock_key(key)))


def unlock(key: str) -> None:
    cache.delete_many([_lock_key(key), _failures_key(key)])


def clear_failures(key: str) -> None:
    cache.delete(_failures_key(key))


def number_key(typed: str) -> str:
    return "pin:" + typed.strip().upper()[:20]


def email_key(typed: str) -> str:
    return "email:" + typed.strip().lower()[:254]


def failed(key: str, client: Client | None) -> Result:
    """Count a failure for ``key`` (audited; locks after ``max_failures()``)."""
    now = clock.now().timestamp()
    recent = [at for at in cache.get(_failures_key(key), []) if at > now - FAILURE_WINDOW]
    recent.append(now)
    locked = len(recent) >= max_failures()
    office = client.home_office_id if client is not None else None
    with transaction.atomic():
        audit.record(
            "jobs_seekers.signin_failed",
            actor=ACTOR,
            obj=client,
            organisation_id=office,
            data={"key": key, "failures": len(recent), "known": client is not None},
            kind=AuditRecord.Kind.SECURITY,
        )
        if locked:
            cache.set(_lock_key(key), True, LOCK_SECONDS)
            audit.record(
                "jobs_seekers.signin_locked",
                actor=ACTOR,
                obj=client,
                organisation_id=office,
                data={"key": key, "failures": len(recent), "minutes": LOCK_SECONDS // 60},
                kind=AuditRecord.Kind.SECURITY,
            )
            log.warning("portal: sign-in for %s locked for %d min", key, LOCK_SECONDS // 60)
    if locked:
        cache.delete(_failures_key(key))
    else:
        cache.set(_failures_key(key), recent, FAILURE_WINDOW)
    return Result(ok=False, locked=locked)


def check_client_pin(number: str, pin: str) -> Result:
    """The client with this number and PIN (an active, unmerged record), with the lockout."""
    key = number_key(number)
    if is_locked(key):
        return Result(ok=False, locked=True)
    client = Client.objects.active().filter(number=number.strip().upper()).first() if number.strip() else None
    if client is not None and check_pin(client, pin):
        cache.delete(_failures_key(key))
        return Result(ok=True, client=client)
    return failed(key, client)


def check_email_password(email: str, password: str) -> Result:
    """The portal account with this e-mail and password, with the lockout; an unverified
    address signs in nobody (``unverified`` is told only once the password is right)."""
    key = email_key(email)
    if is_locked(key):
        return Result(ok=False, locked=True)
    account = (
        PortalAccount.objects.select_related("client").filter(email__iexact=email.strip()).first()
        if email.strip()
        else None
    )
    if account is not None and account.password_hash and check_password(password, account.password_hash):
        cache.delete(_failures_key(key))
        if account.email_verified_at is None:
            return Result(ok=False, account=account, unverified=True)
        return Result(ok=True, account=account, client=account.client)
    return failed(key, account.client if account is not None else None)


def sign_in(request: HttpRequest, account: PortalAccount, *, second_factor: bool = False) -> None:
    """Keep ``account`` signed in on this browser (a new session key against fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    audit.record(
        "jobs_seekers.signed_in",
        actor=ACTOR,
        obj=account,
        organisation_id=account.client.home_office_id if account.client is not None else None,
        data={"second_factor": True} if second_factor else None,
        kind=AuditRecord.Kind.SECURITY,
    )


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def current(request: HttpRequest) -> PortalAccount | None:
    """The portal account signed in on this browser, or None."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    account = (
        PortalAccount.objects.select_related("user", "client", "client__home_office")
        .filter(pk=pk, user__is_active=True)
        .first()
    )
    return account

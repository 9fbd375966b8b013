"""The interpreter's ``Services`` on the real register: client number + PIN (with a lockout),
office hours and holidays from the business calendar, queue statistics from the live ACD.

Lockout: ``TELEPHONY_PIN_MAX_FAILURES`` (default 5) wrong PINs for one client number within
15 minutes lock that number out of phone identification for 30 minutes. The counters live in the
Django cache (shared by every process using the same cache) and are kept per *typed* number, so
an unknown number locks the same way and a caller cannot tell which numbers exist. A lock is a
security event: audited (``telephony.pin_locked``), logged as a warning and shown on the desk's
start page to the client's office (``alerts``). The PIN itself is never logged, stored or audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from okienko.accounts.calendar import calendar_for
from okienko.accounts.models import Organisation
from okienko.clients import search
from okienko.clients.actions import check_pin
from okienko.clients.models import Client
from okienko.core import audit, clock
from okienko.core.actors import SystemActor
from okienko.core.calendar import DEFAULT, BusinessCalendar, is_public_holiday
from okienko.core.clock import WARSAW
from okienko.core.models import AuditRecord
from okienko.telephony.engine.ivr import AuthResult

logger = logging.getLogger(__name__)

FAILURE_WINDOW = 15 * 60  # seconds in which the failures count
LOCK_SECONDS = 30 * 60
DEFAULT_MAX_FAILURES = 5
ACTOR = SystemActor("telephony")  # the audit log's actor: the phone line, no staff member

QueueStat = Callable[[str], int]


def queue_for_office(office: str, entry: str) -> str:
    """The queue an ``{office}`` placeholder means: the office's phone line, ``tel-<office code>``
    (the convention of ``okienko.telephony.demo.queue_code``), whatever number was dialled.
    Replace it through ``DjangoServices(queue_naming=…)`` to have one queue per office and line,
    e.g. ``lambda office, entry: f"tel-{office}-{entry}"``."""
    return f"tel-{office}"


def max_failures() -> int:
    return int(getattr(settings, "TELEPHONY_PIN_MAX_FAILURES", DEFAULT_MAX_FAILURES))


def client_number(typed: str) -> str | None:
    """The client number a caller typed on the keypad (digits only: ``123`` or ``0000123``
    mean ``K0000123``), or ``None`` when it cannot be one."""
    typed = typed.strip()
    if not typed:
        return None
    return search.parse_number(typed if not typed.isdigit() else f"{search.NUMBER_PREFIX}{typed}")


def _failures_key(number: str) -> str:
    return f"telephony:pin:failures:{number}"


def _lock_key(number: str) -> str:
    return f"telephony:pin:locked:{number}"


def is_locked(number: str) -> bool:
    return bool(cache.get(_lock_key(number)))


def unlock(number: str) -> None:
    """Lift a lock (a supervisor, after checking the caller another way)."""
    cache.delete_many([_lock_key(number), _failures_key(number)])


class DjangoServices:
    """``engine.ivr.Services`` for the live process. Queue statistics come from the ACD, which
    lives in the runtime: it passes ``queue_waiting`` and ``queue_available``."""

    def __init__(
        self,
        queue_waiting: QueueStat | None = None,
        queue_available: QueueStat | None = None,
        *,
        queue_naming: Callable[[str, str], str] = queue_for_office,
    ) -> None:
        self._waiting = queue_waiting or (lambda queue: 0)
        self._available = queue_available or (lambda queue: 0)
        self._naming = queue_naming
        self._calendars: dict[str, BusinessCalendar] = {}

    # -- identification ---------------------------------------------------------------------------
    def authenticate(self, number: str, pin: str) -> AuthResult:
        key = client_number(number) or f"?{number[:20]}"
        if is_locked(key):
            return AuthResult(ok=False, locked=True)
        client = (
            Client.objects.active().select_related("home_office").filter(number=key).first()
            if not key.startswith("?")
            else None
        )
        if client is not None and check_pin(client, pin):
            cache.delete(_failures_key(key))
            audit.record(
                "telephony.client_identified",
                actor=ACTOR,
                obj=client,
                organisation_id=client.home_office_id,
                kind=AuditRecord.Kind.SECURITY,
            )
            return AuthResult(ok=True, client=str(client.pk), office=client.home_office.code)
        return self._failed(key, client)

    def _failed(self, key: str, client: Client | None) -> AuthResult:
        now = clock.now().timestamp()
        recent = [at for at in cache.get(_failures_key(key), []) if at > now - FAILURE_WINDOW]
        recent.append(now)
        limit = max_failures()
        locked = len(recent) >= limit
        with transaction.atomic():
            audit.record(
                "telephony.pin_failed",
                actor=ACTOR,
                obj=client,
                organisation_id=client.home_office_id if client is not None else None,
                data={"number": key, "failures": len(recent), "known": client is not None},
                kind=AuditRecord.Kind.SECURITY,
            )
            if locked:
                self._lock(key, client, len(recent))
        if locked:
            cache.delete(_failures_key(key))
        else:
            cache.set(_failures_key(key), recent, FAILURE_WINDOW)
        return AuthResult(ok=False, locked=locked, tries_left=max(0, limit - len(recent)))

    def _lock(self, key: str, client: Client | None, failures: int) -> None:
        cache.set(_lock_key(key), True, LOCK_SECONDS)
        audit.record(
            "telephony.pin_locked",
            actor=ACTOR,
            obj=client,
            organisation_id=client.home_office_id if client is not None else None,
            data={"number": key, "failures": failures, "minutes": LOCK_SECONDS // 60, "known": client is not None},
            kind=AuditRecord.Kind.SECURITY,
        )
        logger.warning(
            "telephony: phone identification of client number %s locked for %d min after %d wrong PINs",
            key,
            LOCK_SECONDS // 60,
            failures,
        )

    # -- the calendar -----------------------------------------------------------------------------
    def office_open(self, calendar: str, at: float) -> bool:
        """Whether ``calendar`` (an organisation's code, or ``default``) is in office hours at
        ``at`` (seconds since the epoch)."""
        return self._calendar(calendar).is_open(dt.datetime.fromtimestamp(at, dt.UTC))

    def is_holiday(self, at: float) -> bool:
        return is_public_holiday(dt.datetime.fromtimestamp(at, dt.UTC).astimezone(WARSAW).date())

    def _calendar(self, code: str) -> BusinessCalendar:
        if code not in self._calendars:
            if code == "default":
                self._calendars[code] = DEFAULT
            else:
                organisation = Organisation.objects.filter(code=code).first()
                if organisation is None:
                    logger.warning("telephony: the IVR asks for the calendar of unknown office %s", code)
                self._calendars[code] = calendar_for(organisation)
        return self._calendars[code]

    # -- queues -----------------------------------------------------------------------------------
    def queue_waiting(self, queue: str) -> int:
        return self._waiting(queue)

    def queue_available(self, queue: str) -> int:
        return self._available(queue)

    def queue_for_office(self, office: str, entry: str) -> str:
        return self._naming(office, entry)

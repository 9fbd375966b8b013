"""An alert on the desk's start page when a client's phone identification was locked after
repeated wrong PINs: somebody may be guessing a PIN, and the client cannot identify by phone
until the lock ends (or ``services.unlock``). Shown to supervisors of the client's office while
the lock lasts."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.access import user_of
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.core.actors import Actor
from okienko.core.models import AuditRecord
from okienko.core.navigation import HomeAlert
from okienko.telephony.ivr.services import LOCK_SECONDS, is_locked


def pin_locks(user: Actor) -> list[HomeAlert]:
    staff = user_of(user)
    if staff is None or not staff.is_active:
        return []
    offices = access.organisations_with(user, Perm.QUEUES_SUPERVISE)
    since = clock.now() - dt.timedelta(seconds=LOCK_SECONDS)
    locks = AuditRecord.objects.filter(
        action="telephony.pin_locked", at__gte=since, organisation_id__in=offices.values_list("pk", flat=True)
    )
    alerts: list[HomeAlert] = []
    seen: set[str] = set()
    for number in locks.order_by("-at").values_list("data__number", flat=True)[:20]:
        if not isinstance(number, str) or number in seen or not is_locked(number):
            continue
        seen.add(number)
        alerts.append(
            HomeAlert(
                _("Phone identification of client %(number)s is locked after repeated wrong PINs.")
                % {"number": number},
                reverse("admin:core_auditrecord_changelist") + "?action=telephony.pin_locked",
                "danger",
            )
        )
    return alerts

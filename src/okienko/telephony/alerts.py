"""Failures of the phone line that staff must hear of — the Asterisk connection lost, a recording
that could not be stored because the disk is full — are in the audit log
(``recordings.alert_failure``); this shows them on the desk's start page to supervisors for an
hour."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.access import user_of
from okienko.accounts.roles import Perm
from okienko.core import clock
from okienko.core.actors import Actor
from okienko.core.models import AuditRecord
from okienko.core.navigation import HomeAlert

ACTION = "telephony.failure"  # written by ``recordings.alert_failure``
SHOWN_FOR = dt.timedelta(hours=1)
MAX_SHOWN = 5


def failures(user: Actor) -> list[HomeAlert]:
    staff = user_of(user)
    if staff is None or not staff.is_active or not access.has_perm_anywhere(staff, Perm.QUEUES_SUPERVISE):
        return []
    since = clock.now() - SHOWN_FOR
    offices = access.organisations_with(staff, Perm.QUEUES_SUPERVISE).values_list("pk", flat=True)
    mine = Q(organisation_id__isnull=True) | Q(organisation_id__in=offices)  # the line's, or my offices'
    recent = AuditRecord.objects.filter(mine, action=ACTION, at__gte=since).order_by("-at")[:MAX_SHOWN]
    link = reverse("admin:core_auditrecord_changelist") + "?action=" + ACTION
    return [
        HomeAlert(
            _("Phone line problem at %(time)s: %(detail)s")
            % {"time": timezone.localtime(record.at).strftime("%H:%M"), "detail": record.data.get("detail", "")},
            link,
            "danger",
        )
        for record in recent
    ]

"""Escalation: reminders before the deadline, supervisor alerts when overdue and 3× overdue.

``escalate_cases`` is idempotent: ``Case.escalation_level`` records the highest step reached
(1 reminded, 2 overdue alert, 3 three-times-overdue alert) and each step is taken once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from okienko.cases.actions import escalate_case
from okienko.cases.models import Case
from okienko.core import clock

REMIND_BEFORE = dt.timedelta(hours=24)
BATCH = 500


@dataclass(frozen=True)
class EscalationReport:
    reminded: int
    overdue: int
    overdue_3x: int


def escalate_cases(now: dt.datetime | None = None, *, limit: int = BATCH) -> EscalationReport:
    now = now or clock.now()
    running = Case.objects.running()
    three = list(running.filter(resolve_due_3x__lt=now, escalation_level__lt=3).only("pk")[:limit])
    for case in three:
        escalate_case(
            case=case, level=3, kind="alert_overdue_3x", summary=_("Three times over the deadline: supervisor alerted")
        )
    over = list(running.filter(resolve_due__lt=now, escalation_level__lt=2).only("pk")[:limit])
    for case in over:
        escalate_case(case=case, level=2, kind="alert_overdue", summary=_("Deadline passed: supervisor alerted"))
    soon = list(
        running.filter(Q(resolve_due__gte=now) & Q(resolve_due__lt=now + REMIND_BEFORE), escalation_level__lt=1).only(
            "pk"
        )[:limit]
    )
    for case in soon:
        escalate_case(case=case, level=1, kind="reminder", summary=_("Reminder: the deadline is within 24 hours"))
    return EscalationReport(len(soon), len(over), len(three))

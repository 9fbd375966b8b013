"""Escalation: reminders before the deadline, supervisor alerts when overdue and 3× overdue.

``escalate_cases`` is idempotent: ``Case.escalation_level`` records the highest step reached
(1 reminded, 2 overdue alert, 3 three-times-overdue alert) and each step is taken once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from okienko.cases.models import Case, CaseEvent
from okienko.core import audit, clock, events

REMIND_BEFORE = dt.timedelta(hours=24)
BATCH = 500


@dataclass(frozen=True)
class EscalationReport:
    reminded: int
    overdue: int
    overdue_3x: int


def _step(case: Case, level: int, kind: str, summary: str) -> None:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.escalation_level >= level:
            return
        before = {"escalation_level": locked.escalation_level}
        locked.escalation_level = level
        locked.save(update_fields=["escalation_level"])
        audit.record(
            "case.escalated",
            actor=None,
            obj=locked,
            organisation_id=locked.organisation_id,
            changes=audit.diff(before, {"escalation_level": level}),
        )
        CaseEvent.objects.create(
            case=locked, at=clock.now(), kind=kind, actor_repr="system", summary=summary, data={"level": level}
        )
        events.emit(
            "case.updated",
            obj=locked,
            organisation_id=locked.organisation_id,
            payload={
                "case_id": locked.pk,
                "case_uuid": str(locked.uuid),
                "number": locked.number,
                "change": "escalation",
                "level": level,
                "alert": kind,
                "assigned_unit_id": locked.assigned_unit_id,
                "assigned_to_id": locked.assigned_to_id,
            },
        )


def escalate_cases(now: dt.datetime | None = None, *, limit: int = BATCH) -> EscalationReport:
    now = now or clock.now()
    running = Case.objects.running()
    three = list(running.filter(resolve_due_3x__lt=now, escalation_level__lt=3).only("pk")[:limit])
    for case in three:
        _step(case, 3, "alert_overdue_3x", _("Three times over the deadline: supervisor alerted"))
    over = list(running.filter(resolve_due__lt=now, escalation_level__lt=2).only("pk")[:limit])
    for case in over:
        _step(case, 2, "alert_overdue", _("Deadline passed: supervisor alerted"))
    soon = list(
        running.filter(Q(resolve_due__gte=now) & Q(resolve_due__lt=now + REMIND_BEFORE), escalation_level__lt=1).only(
            "pk"
        )[:limit]
    )
    for case in soon:
        _step(case, 1, "reminder", _("Reminder: the deadline is within 24 hours"))
    return EscalationReport(len(soon), len(over), len(three))

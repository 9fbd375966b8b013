"""Supervisor alerts on the desk's start page: overdue and 3×-overdue cases in their scope (the
plain overdue line only where the "overdue in my scope" panel is not shown)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.cases.models import Case
from okienko.core import clock
from okienko.core.actors import Actor
from okienko.core.navigation import HomeAlert


def escalations(user: Actor) -> list[HomeAlert]:
    if not access.has_perm_anywhere(user, Perm.QUEUES_SUPERVISE):
        return []
    now = clock.now()
    visible = Case.objects.visible_to(user)
    team = reverse("cases:team")
    alerts = []
    tripled = visible.overdue_3x(now).count()
    if tripled:
        text = ngettext(
            "%(n)d case is more than three times over its deadline",
            "%(n)d cases are more than three times over their deadline",
            tripled,
        ) % {"n": tripled}
        alerts.append(HomeAlert(text, f"{team}?overdue=3", "danger"))
    late = visible.overdue(now).count()
    if late:
        text = ngettext("%(n)d case is overdue", "%(n)d cases are overdue", late) % {"n": late}
        alerts.append(HomeAlert(text, f"{team}?overdue=1", "warning", panel="cases.overdue"))
    return alerts

"""``{% my_registrations account %}``: the job seeker's registrations for trainings and events on
"my matters" (``/konto/``), with a cancel button each."""

from __future__ import annotations

from typing import Any

from django import template

from okienko.jobs.events import actions

register = template.Library()


@register.inclusion_tag("portal/events/_my_registrations.html")
def my_registrations(account: Any) -> dict[str, Any]:
    rows = [(r, r.item, actions.when_text(r.item)) for r in actions.registrations_of(account)] if account else []
    return {"rows": rows}

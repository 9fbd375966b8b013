"""Routing: which unit a new case goes to.

The active ``RoutingRule`` rows of the jurisdiction are tried in ``order``; the first whose every
condition holds wins. Conditions: service, territory (TERYT prefix of the event's gmina, else of
the client's), weekday and local time window, and one extra-question answer. Without a match the
case goes to the service's responsible unit, and without one to the triage queue: the
jurisdiction's contact centre (or the jurisdiction itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from okienko.accounts.models import Organisation
from okienko.cases.models import RoutingRule
from okienko.core.clock import WARSAW
from okienko.core.memo import Memo
from okienko.core.tree import path_prefixes


@dataclass(frozen=True)
class Route:
    unit: Organisation
    rule: RoutingRule | None
    reason: str  # "rule", "responsible_unit" or "triage"


def _answer_matches(expected: str, answer: Any) -> bool:
    if isinstance(answer, list):
        return expected in [str(a) for a in answer]
    return answer is not None and str(answer) == expected


def rule_matches(
    rule: RoutingRule, *, service_id: int, territory_code: str, answers: Mapping[str, Any], at: dt.datetime
) -> bool:
    if rule.service_id is not None and rule.service_id != service_id:
        return False
    if rule.territory_prefix and not territory_code.startswith(rule.territory_prefix):
        return False
    local = at.astimezone(WARSAW)
    if rule.weekdays and str(local.weekday()) not in rule.weekdays:
        return False
    if rule.time_from is not None or rule.time_to is not None:
        start = rule.time_from or dt.time(0, 0)
        end = rule.time_to or dt.time(23, 59, 59, 999999)
        now = local.time()
        inside = start <= now < end if start <= end else (now >= start or now < end)  # over midnight
        if not inside:
            return False
    return not (rule.answer_code and not _answer_matches(rule.answer_value, answers.get(rule.answer_code)))


def triage_unit(jurisdiction: Organisation) -> Organisation:
    centre = (
        Organisation.objects.filter(
            path__startswith=jurisdiction.path, kind=Organisation.Kind.CONTACT_CENTRE, active=True
        )
        .order_by("path")
        .first()
    )
    return centre or jurisdiction


# Active rules per jurisdiction, kept per process for seconds; a save of a rule in this process
# clears them at once (``cases.apps``), other processes follow within the TTL.
_rules: Memo[list[RoutingRule]] = Memo(ttl=10)


def rules_of(jurisdiction: Organisation) -> list[RoutingRule]:
    return _rules.get(
        jurisdiction.path,
        lambda: list(
            RoutingRule.objects.filter(organisation__path__in=path_prefixes(jurisdiction.path), active=True)
            .select_related("target_unit")
            .order_by("order", "id")
        ),
    )


def route(
    *,
    jurisdiction: Organisation,
    service: Any,
    territory_code: str,
    answers: Mapping[str, Any],
    at: dt.datetime,
) -> Route:
    for rule in rules_of(jurisdiction):
        if rule_matches(rule, service_id=service.pk, territory_code=territory_code, answers=answers, at=at):
            return Route(rule.target_unit, rule, "rule")
    if service.responsible_unit_id is not None:
        return Route(service.responsible_unit, None, "responsible_unit")
    return Route(triage_unit(jurisdiction), None, "triage")

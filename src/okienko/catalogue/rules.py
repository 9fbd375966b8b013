"""Priority rules: a new case's priority and deadlines from the answers to the service's questions.

A rule matches when every one of its conditions holds; the first matching rule (by ``order``)
decides. Load a service's rules once with :func:`prefetch` (``Service.objects.prefetch_related(
rules.prefetch())``) when many cases of it are opened together (the Open311 intake worker):
:func:`rules_of` then reads them without a query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, QuerySet

from okienko.catalogue.models import PriorityCondition, PriorityRule, Service

Operator = PriorityCondition.Operator


def prefetch() -> Prefetch[Any]:
    """The active rules of a service with their conditions and the conditions' questions."""
    return Prefetch("priority_rules", queryset=_active())


def _active() -> QuerySet[PriorityRule]:
    return PriorityRule.objects.filter(active=True).prefetch_related(
        Prefetch("conditions", queryset=PriorityCondition.objects.select_related("question"))
    )


def rules_of(service: Service) -> list[PriorityRule]:
    """The service's active rules in order: from the prefetch cache when present, else two queries."""
    cache = getattr(service, "_prefetched_objects_cache", {})
    rules = list(cache["priority_rules"]) if "priority_rules" in cache else list(_active().filter(service=service))
    return sorted((r for r in rules if r.active), key=lambda r: (r.order, r.pk or 0))


@dataclass(frozen=True)
class Decision:
    """What a matching rule sets; ``None`` fields leave the service's value."""

    rule: PriorityRule
    priority: str
    sla_basis: str | None
    response_due: int | None
    resolve_due: int | None


def decide(rules: Sequence[PriorityRule], answers: Mapping[str, Any]) -> Decision | None:
    """The decision of the first rule whose conditions all hold for ``answers`` (cleaned answers,
    keyed by question code), or ``None``."""
    for rule in rules:
        if all(holds(c, answers.get(c.question.code)) for c in rule.conditions.all()):
            return Decision(
                rule=rule,
                priority=rule.priority,
                sla_basis=rule.sla_basis or None,
                response_due=rule.response_due,
                resolve_due=rule.resolve_due,
            )
    return None


def holds(condition: PriorityCondition, answer: Any) -> bool:
    """Whether ``answer`` satisfies ``condition``; an unanswered question satisfies none."""
    if answer is None or answer == "" or answer == []:
        return False
    given = [str(a) for a in answer] if isinstance(answer, list) else [str(answer)]
    operator = condition.operator
    if operator == Operator.EQUALS:
        return any(_same(a, condition.value) for a in given)
    if operator == Operator.ONE_OF:
        wanted = values_of(condition.value)
        return any(_same(a, w) for a in given for w in wanted)
    if operator in (Operator.GREATER, Operator.LESS):
        limit = _number(condition.value)
        numbers = [n for n in (_number(a) for a in given) if n is not None]
        if limit is None or not numbers:
            return False
        return any(n > limit if operator == Operator.GREATER else n < limit for n in numbers)
    return False


def values_of(raw: str) -> list[str]:
    """The comma-separated values of an 'is one of' condition, trimmed, empty ones dropped."""
    return [v.strip() for v in raw.split(",") if v.strip()]


def _same(answer: str, value: str) -> bool:
    a, b = _number(answer), _number(value)
    if a is not None and b is not None:
        return a == b
    return answer.strip().casefold() == value.strip().casefold()


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None

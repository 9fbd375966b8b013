"""Catalogue priority rules set a new case's priority and deadlines from the answers (issue 12, item 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okienko.catalogue import rules
from okienko.catalogue.models import PriorityCondition, PriorityRule, Service, ServiceQuestion
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture
def depth(city: City) -> ServiceQuestion:
    return ServiceQuestion.objects.create(service=city.pothole, code="depth", label="Depth (cm)", datatype="number")


@pytest.fixture
def on_road(city: City) -> ServiceQuestion:
    question = ServiceQuestion.objects.create(
        service=city.pothole, code="on_road", label="On the carriageway?", datatype="singlevaluelist"
    )
    question.choices.create(key="yes", name="yes")
    question.choices.create(key="no", name="no")
    return question


@pytest.fixture
def deep_on_road(city: City, depth: ServiceQuestion, on_road: ServiceQuestion) -> PriorityRule:
    rule = PriorityRule.objects.create(
        service=city.pothole,
        name="Deep pothole on the carriageway",
        priority="high",
        sla_basis=Service.SlaBasis.CALENDAR_DAYS,
        response_due=1,
        resolve_due=1,
    )
    rule.conditions.create(question=on_road, operator="equals", value="yes")
    rule.conditions.create(question=depth, operator="gt", value="10")
    return rule


def test_a_deep_pothole_on_the_carriageway_is_high_priority_with_24_hours(
    city: City, deep_on_road: PriorityRule, frozen: Any
) -> None:
    case = open_pothole(city, answers={"size": "large", "on_road": "yes", "depth": "12"})
    assert (case.priority, case.priority_reason, case.priority_rule) == ("high", deep_on_road.name, deep_on_road)
    assert case.sla_basis == "calendar_days"
    assert case.resolve_due == case.created_at + dt.timedelta(days=1)
    assert case.response_due == case.created_at + dt.timedelta(days=1)


def test_the_expert_sees_the_rule_in_the_timeline_and_the_audit_log(
    city: City, deep_on_road: PriorityRule, frozen: Any
) -> None:
    case = open_pothole(city, answers={"size": "large", "on_road": "yes", "depth": "15"})
    event = case.events.get(kind="prioritised")
    assert event.summary == "Priority high set by the rule “Deep pothole on the carriageway”"
    assert event.data == {"priority": "high", "rule": "Deep pothole on the carriageway"}
    opened = AuditRecord.objects.get(action="case.opened", object_id=str(case.pk))
    assert opened.data["priority_rule"] == "Deep pothole on the carriageway"


def test_a_shallow_pothole_keeps_the_service_priority_and_deadlines(
    city: City, deep_on_road: PriorityRule, frozen: Any
) -> None:
    case = open_pothole(city, answers={"size": "large", "on_road": "yes", "depth": "10"})
    assert (case.priority, case.priority_reason, case.priority_rule) == ("normal", "", None)
    assert case.sla_basis == "working_days"
    assert not case.events.filter(kind="prioritised").exists()


def test_an_unanswered_question_matches_no_condition(city: City, deep_on_road: PriorityRule) -> None:
    case = open_pothole(city, answers={"size": "large", "on_road": "yes"})
    assert case.priority == "normal"


def test_the_first_matching_rule_in_order_wins_and_inactive_rules_are_ignored(
    city: City, on_road: ServiceQuestion
) -> None:
    off = PriorityRule.objects.create(service=city.pothole, name="Switched off", priority="urgent", order=0)
    off.conditions.create(question=on_road, operator="equals", value="yes")
    PriorityRule.objects.filter(pk=off.pk).update(active=False)
    first = PriorityRule.objects.create(service=city.pothole, name="Road", priority="high", order=1)
    first.conditions.create(question=on_road, operator="one_of", value="yes, no")
    PriorityRule.objects.create(service=city.pothole, name="Everything", priority="low", order=2)
    case = open_pothole(city, answers={"size": "large", "on_road": "no"})
    assert (case.priority, case.priority_reason) == ("high", "Road")
    other = open_pothole(city, answers={"size": "small"})
    assert (other.priority, other.priority_reason) == ("low", "Everything")


def test_an_explicit_higher_priority_wins_over_the_rule(city: City, deep_on_road: PriorityRule) -> None:
    case = open_pothole(city, priority="urgent", answers={"size": "large", "on_road": "yes", "depth": "40"})
    assert (case.priority, case.priority_reason) == ("urgent", "")
    lower = open_pothole(city, priority="low", answers={"size": "large", "on_road": "yes", "depth": "40"})
    assert (lower.priority, lower.priority_reason) == ("high", deep_on_road.name)


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("equals", "yes", "yes", True),
        ("equals", "yes", "no", False),
        ("equals", "10", "10.0", True),
        ("one_of", "a, b", "b", True),
        ("one_of", "a, b", "c", False),
        ("one_of", "a,b", ["c", "a"], True),
        ("equals", "a", ["b", "a"], True),
        ("gt", "10", "10.5", True),
        ("gt", "10", "10", False),
        ("lt", "10", "9,5", True),
        ("lt", "10", "abc", False),
        ("gt", "not a number", "5", False),
        ("gt", "10", None, False),
        ("equals", "yes", "", False),
        ("equals", "yes", [], False),
    ],
)
def test_conditions(city: City, depth: ServiceQuestion, operator: str, value: str, answer: Any, expected: bool) -> None:
    condition = PriorityCondition(question=depth, operator=operator, value=value)
    assert rules.holds(condition, answer) is expected


def test_a_condition_must_fit_its_question(city: City, depth: ServiceQuestion, on_road: ServiceQuestion) -> None:
    rule = PriorityRule.objects.create(service=city.pothole, name="R", priority="high")
    with pytest.raises(ValidationError) as unknown:
        PriorityCondition(rule=rule, question=on_road, operator="one_of", value="yes, maybe").full_clean()
    assert "maybe" in str(unknown.value)
    with pytest.raises(ValidationError):
        PriorityCondition(rule=rule, question=on_road, operator="gt", value="3").full_clean()
    with pytest.raises(ValidationError):
        PriorityCondition(rule=rule, question=depth, operator="gt", value="deep").full_clean()
    with pytest.raises(ValidationError):
        PriorityCondition(rule=rule, question=depth, operator="equals", value=" ").full_clean()
    tree_question = ServiceQuestion.objects.create(service=city.tree, code="x", label="X", datatype="number")
    with pytest.raises(ValidationError) as foreign:
        PriorityCondition(rule=rule, question=tree_question, operator="gt", value="1").full_clean()
    assert "question" in foreign.value.message_dict
    PriorityCondition(rule=rule, question=depth, operator="gt", value="10").full_clean()


def test_prefetched_rules_cost_no_query_per_case(city: City, deep_on_road: PriorityRule) -> None:
    service = Service.objects.prefetch_related(rules.prefetch()).get(pk=city.pothole.pk)
    with CaptureQueriesContext(connection) as captured:
        found = rules.rules_of(service)
        decision = rules.decide(found, {"on_road": "yes", "depth": "11"})
    assert len(captured.captured_queries) == 0
    assert decision is not None
    assert decision.rule == deep_on_road
    with CaptureQueriesContext(connection) as captured:
        rules.rules_of(city.pothole)
    assert len(captured.captured_queries) == 2  # rules, conditions with their questions


def test_the_case_detail_names_the_rule(city: City, deep_on_road: PriorityRule) -> None:
    from django.test import Client

    case = open_pothole(city, answers={"size": "large", "on_road": "yes", "depth": "30"})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "set by the catalogue rule “Deep pothole on the carriageway”" in page

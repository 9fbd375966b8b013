"""Case actions: opening, routing, deadlines, workflow, assignment, locking, split and merge."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from okienko.cases import actions
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseEvent, CaseNote, RoutingRule
from okienko.cases.workflow import TransitionNotAllowed
from okienko.core.models import AuditRecord, OutboxEvent
from tests.cases.conftest import City, open_pothole

WAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=WAW)


def test_open_case_numbers_per_organisation_and_year(city: City, frozen: Any) -> None:
    first = open_pothole(city)
    second = open_pothole(city)
    assert (first.number, second.number) == ("LDZ/2026/000001", "LDZ/2026/000002")
    frozen.move_to("2027-01-04 09:00:00+00:00")
    assert open_pothole(city).number == "LDZ/2027/000001"


def test_open_case_routes_to_responsible_unit_with_deadlines(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    assert case.status == "assigned"
    assert case.assigned_unit == city.roads
    assert case.response_due == local(2026, 11, 24, 16)
    assert case.resolve_due == local(2026, 11, 30, 16)
    assert case.answers == {"size": "large"}
    assert case.parties.get().name == "Jan Kowalski"


def test_open_case_is_audited_and_emits_case_created(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    entry = AuditRecord.objects.get(action="case.opened")
    assert entry.object_id == str(case.pk)
    assert entry.data == {"route": "responsible_unit", "rule": None}
    event = OutboxEvent.objects.get(topic="case.created")
    assert event.payload["number"] == "LDZ/2026/000001"
    assert event.payload["route"] == "responsible_unit"


def test_service_without_responsible_unit_goes_to_triage(city: City, frozen: Any) -> None:
    case = open_pothole(city, service=city.tree, answers={}, location=None)
    assert case.assigned_unit == city.centre
    assert case.resolve_due == local(2026, 11, 24, 10)  # 8 working hours from Mon 10:00


def test_routing_rule_by_answer_beats_responsible_unit(city: City, frozen: Any) -> None:
    RoutingRule.objects.create(
        organisation=city.city,
        name="large",
        service=city.pothole,
        answer_code="size",
        answer_value="large",
        target_unit=city.green,
    )
    assert open_pothole(city).assigned_unit == city.green
    assert open_pothole(city, answers={"size": "small"}).assigned_unit == city.roads


def test_routing_rule_by_territory_prefix(city: City, frozen: Any) -> None:
    RoutingRule.objects.create(organisation=city.city, name="gmina", territory_prefix="1061", target_unit=city.green)
    assert open_pothole(city).assigned_unit == city.green
    # without a point or a code the case has no territory (with a point it is derived from it)
    nowhere = {"address": "Piotrkowska 104", "gmina_code": "", "latitude": "", "longitude": ""}
    assert open_pothole(city, location=nowhere).assigned_unit == city.roads


def test_routing_rule_by_weekday_and_time_window(city: City, frozen: Any) -> None:
    RoutingRule.objects.create(
        organisation=city.city,
        name="nights",
        weekdays="0123456",
        time_from=dt.time(20),
        time_to=dt.time(6),
        target_unit=city.green,
    )
    assert open_pothole(city).assigned_unit == city.roads  # Monday 10:00
    frozen.move_to("2026-11-23 22:30:00+00:00")  # 23:30 local
    assert open_pothole(city).assigned_unit == city.green


def test_inactive_or_later_rules_do_not_win(city: City, frozen: Any) -> None:
    RoutingRule.objects.create(organisation=city.city, name="off", active=False, target_unit=city.green)
    RoutingRule.objects.create(organisation=city.city, name="first", order=1, target_unit=city.centre)
    RoutingRule.objects.create(organisation=city.city, name="second", order=2, target_unit=city.green)
    assert open_pothole(city).assigned_unit == city.centre


def test_missing_required_answer_and_location_are_refused(city: City, frozen: Any) -> None:
    with pytest.raises(CaseInputError) as exc:
        open_pothole(city, answers={}, location=None, description="  ")
    assert set(exc.value.errors) == {"size", "location", "description"}
    assert Case.objects.count() == 0


def test_answer_outside_the_list_is_refused(city: City, frozen: Any) -> None:
    with pytest.raises(CaseInputError) as exc:
        open_pothole(city, answers={"size": "huge", "colour": "red"})
    assert set(exc.value.errors) == {"size", "colour"}


def test_blocking_notice_stops_registration(city: City, frozen: Any) -> None:
    city.pothole.questions.create(code="danger", label="Danger to life: call 112", datatype="notice", required=True)
    with pytest.raises(CaseInputError) as exc:
        open_pothole(city)
    assert exc.value.errors == {"danger": "Danger to life: call 112"}


def test_bad_coordinates_are_refused(city: City, frozen: Any) -> None:
    with pytest.raises(CaseInputError) as exc:
        open_pothole(city, location={"latitude": "123", "longitude": "19"})
    assert exc.value.errors == {"location": "Latitude or longitude is out of range."}


def test_outsider_cannot_open_a_case(city: City, frozen: Any) -> None:
    with pytest.raises(PermissionDenied):
        open_pothole(city, actor=city.outsider)


def test_expert_moves_case_through_workflow_with_history(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    case = actions.transition_case(actor=city.expert, case=case, to_status="in_progress")
    assert case.responded_at == local(2026, 11, 23, 10)
    case = actions.resolve_case(actor=city.expert, case=case, message="Patched.")
    assert case.status == "resolved"
    assert case.resolved_at is not None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "assigned", "status", "status", "note"]
    assert CaseNote.objects.get(case=case).visibility == "public"
    assert OutboxEvent.objects.filter(topic="case.status_changed").count() == 2


def test_impossible_transition_is_refused_and_nothing_changes(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    with pytest.raises(TransitionNotAllowed):
        actions.transition_case(actor=city.expert, case=case, to_status="closed")
    case.refresh_from_db()
    assert (case.status, case.version) == ("assigned", 1)


def test_consultant_may_not_resolve(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    case = actions.transition_case(actor=city.expert, case=case, to_status="in_progress")
    with pytest.raises(TransitionNotAllowed, match="not allowed for your role"):
        actions.transition_case(actor=city.consultant, case=case, to_status="resolved")


def test_waiting_for_client_pauses_the_sla(city: City, frozen: Any) -> None:
    case = open_pothole(city)  # resolve due Mon 30 Nov 16:00
    case = actions.ask_client(actor=city.expert, case=case, message="Which lane?")
    assert case.sla_paused_at == local(2026, 11, 23, 10)
    assert case.status == "waiting_client"
    frozen.move_to("2026-11-24 09:00:00+00:00")  # Tue 10:00 = 8 working hours later
    case = actions.transition_case(actor=city.expert, case=case, to_status="in_progress")
    assert case.sla_paused_at is None
    assert case.resolve_due == local(2026, 12, 1, 16)
    assert case.resolve_due_3x == local(2026, 12, 15, 16)


def test_paused_case_is_not_overdue(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    actions.ask_client(actor=city.expert, case=case, message="Which lane?")
    later = local(2026, 12, 31, 12)
    assert not Case.objects.overdue(later).exists()
    assert Case.objects.get(pk=case.pk).overdue_level_at(later) == 0


def test_stale_writer_gets_a_conflict_and_nothing_is_overwritten(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    seen = case.version
    actions.add_note(actor=city.expert, case=case, body="first", expected_version=seen)
    with pytest.raises(actions.StaleCase):
        actions.transition_case(actor=city.expert, case=case, to_status="in_progress", expected_version=seen)
    case.refresh_from_db()
    assert (case.status, case.version) == ("assigned", 2)


def test_supervisor_assigns_to_unit_and_person(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    case = actions.assign_case(actor=city.supervisor, case=case, unit=city.green, user=city.green_expert)
    assert (case.assigned_unit, case.assigned_to) == (city.green, city.green_expert)
    assert OutboxEvent.objects.filter(topic="case.assigned").count() == 1


def test_assigning_outside_the_jurisdiction_is_an_error(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    with pytest.raises(actions.OutOfScope, match="outside the jurisdiction"):
        actions.assign_case(actor=city.supervisor, case=case, unit=city.other_city)
    with pytest.raises(actions.OutOfScope, match="does not work on cases"):
        actions.assign_case(actor=city.supervisor, case=case, unit=city.roads, user=city.green_expert)
    case.refresh_from_db()
    assert case.assigned_unit == city.roads


def test_expert_may_take_a_case_but_not_assign_others(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    case = actions.assign_case(actor=city.expert, case=case, user=city.expert)
    assert case.assigned_to == city.expert
    with pytest.raises(PermissionDenied):
        actions.assign_case(actor=city.expert, case=case, unit=city.green)


def test_split_creates_sub_cases_for_units(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    children = actions.split_case(
        actor=city.supervisor,
        case=case,
        parts=[{"unit": city.roads, "description": "road"}, {"unit": city.green, "description": "verge"}],
    )
    case.refresh_from_db()
    assert case.status == "split"
    assert [c.assigned_unit for c in children] == [city.roads, city.green]
    assert all(c.parent_id == case.pk for c in children)
    assert [c.number for c in children] == ["LDZ/2026/000002", "LDZ/2026/000003"]


def test_merge_marks_duplicate_and_informs_reporter(city: City, frozen: Any) -> None:
    original = open_pothole(city)
    dup = open_pothole(city, reporter={"name": "Anna Nowak"})
    dup = actions.merge_cases(actor=city.expert, case=dup, into=original)
    assert (dup.status, dup.duplicate_of_id) == ("duplicate", original.pk)
    note = CaseNote.objects.get(case=dup)
    assert note.visibility == "public"
    assert "LDZ/2026/000001" in note.body
    assert original.parties.filter(name="Anna Nowak").exists()


def test_reopen_on_client_request_and_by_staff(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    case = actions.resolve_case(actor=city.expert, case=case, message="Done")
    case = actions.reopen_case(actor=None, case=case, reason="Still broken", on_client_request=True)
    assert case.status == "reopened"
    assert case.resolved_at is None
    case = actions.resolve_case(actor=city.expert, case=case, message="Done again")
    case = actions.transition_case(actor=city.expert, case=case, to_status="closed")
    with pytest.raises(TransitionNotAllowed):
        actions.reopen_case(actor=city.expert, case=case, reason="x")
    assert actions.reopen_case(actor=city.supervisor, case=case, reason="x").status == "reopened"


def test_visibility_by_jurisdiction_and_unit(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    assert list(Case.objects.visible_to(city.consultant)) == [case]
    assert list(Case.objects.visible_to(city.expert)) == [case]
    assert list(Case.objects.visible_to(city.outsider)) == []


def test_labour_office_staff_see_their_county_office_cases_only(region: Any, make_user: Any, frozen: Any) -> None:
    from okienko.accounts.models import Organisation
    from okienko.accounts.roles import Role
    from okienko.catalogue.models import Service, ServiceCategory

    pup_a, pup_b = Organisation.objects.get(code="pup-a"), Organisation.objects.get(code="pup-b")
    dept_a = Organisation.objects.get(code="pup-a-dept")
    category = ServiceCategory.objects.create(organisation=region, code="c", name="c")
    service = Service.objects.create(organisation=region, code="cert", category=category, public_name="Certificate")
    consultant = make_user("wup-consultant", roles=[(region, Role.CONSULTANT)])
    expert_a = make_user("expert-a", roles=[(dept_a, Role.EXPERT)])
    cases = {
        org.code: actions.open_case(
            actor=consultant, organisation=org, service=service, description="x", channel="phone"
        )
        for org in (region, pup_a, pup_b)
    }
    assert set(Case.objects.visible_to(expert_a)) == {cases["pup-a"]}
    assert set(Case.objects.visible_to(consultant)) == set(cases.values())
    assert cases["pup-a"].number == "PUP-A/2026/000001"

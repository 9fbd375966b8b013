"""One intent, one action, one transaction: a repeat registered at the desk, a saved queue filter,
an escalation step (issue 11, item 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okienko.cases import actions
from okienko.cases.models import Case
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db

FORM = {"description": "Hole again", "q_size": "small", "latitude": "51.759", "longitude": "19.457", "channel": "phone"}


def test_a_consultant_registers_a_repeat_merged_into_the_original(city: City, frozen: Any, client: Client) -> None:
    original = open_pothole(city)
    client.force_login(city.consultant)
    response = client.post(
        "/desk/cases/new/", {**FORM, "service": str(city.pothole.uuid), "duplicate_of": str(original.pk)}
    )
    repeat = Case.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert (repeat.status, repeat.duplicate_of_id) == ("duplicate", original.pk)


def test_a_refused_merge_leaves_no_half_registered_case(city: City, frozen: Any) -> None:
    elsewhere = open_pothole(city)
    elsewhere.organisation = city.other_city
    elsewhere.save()
    with pytest.raises(actions.OutOfScope):
        actions.open_duplicate_case(
            actor=city.consultant,
            into=elsewhere,
            organisation=city.city,
            service=city.pothole,
            description="Hole again",
            channel="phone",
            location={"latitude": "51.759", "longitude": "19.457"},
            answers={"size": "small"},
        )
    assert Case.objects.count() == 1


def test_saving_a_queue_filter_is_an_audited_action(city: City, frozen: Any, client: Client) -> None:
    from okienko.cases.models import SavedFilter
    from okienko.core.models import AuditRecord

    client.force_login(city.expert)
    client.post("/desk/cases/filters/save/", {"name": "  ", "query": "overdue=1"})
    assert not SavedFilter.objects.exists()
    client.post("/desk/cases/filters/save/", {"name": "Late", "query": "overdue=1", "scope": "team", "share": "1"})
    entry = AuditRecord.objects.get(action="case.filter_saved")
    assert entry.data == {"name": "Late", "query": "team?overdue=1", "shared_with": city.roads.code}
    assert entry.organisation_id == city.roads.pk


def test_an_escalation_step_is_announced_like_every_other_change(city: City, frozen: Any) -> None:
    from okienko.cases.escalation import escalate_cases
    from okienko.core.models import OutboxEvent

    case = open_pothole(city)
    frozen.move_to("2026-12-01 08:00:00+00:00")
    escalate_cases()
    payload = OutboxEvent.objects.filter(topic="case.updated").latest("pk").payload
    assert payload["change"] == "escalation"
    assert {k: payload[k] for k in ("case_id", "number", "status", "organisation_id", "assigned_unit_id")} == {
        "case_id": case.pk,
        "number": case.number,
        "status": case.status,
        "organisation_id": case.organisation_id,
        "assigned_unit_id": case.assigned_unit_id,
    }

"""Internal notes are for all staff who see the case; unit-only notes for the assigned unit
(issue 10, item 12; ADR 0041)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from okienko.cases import actions
from okienko.cases.intake import CaseInputError
from okienko.cases.models import CaseNote
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


def test_unit_only_note_is_read_by_the_unit_and_its_supervisors_only(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    assert case.assigned_unit == city.roads
    note = actions.add_note(actor=city.expert, case=case, body="Ekipa będzie w czwartek", unit_only=True)
    assert (note.visibility, note.unit) == (CaseNote.Visibility.UNIT, city.roads)
    internal = actions.add_note(actor=city.expert, case=case, body="Dla wszystkich")
    readers = {
        name: set(CaseNote.objects.visible_to(user).filter(case=case))
        for name, user in {
            "roads expert": city.expert,
            "city supervisor": city.supervisor,
            "greenery expert": city.green_expert,
            "contact centre": city.consultant,
        }.items()
    }
    assert readers == {
        "roads expert": {note, internal},
        "city supervisor": {note, internal},
        "greenery expert": {internal},
        "contact centre": {internal},
    }
    entry = AuditRecord.objects.filter(action="case.note_added").latest("pk")
    assert entry.data["visibility"] == "internal"
    assert (
        case.events.filter(kind="note").order_by("id").first().summary == "Unit-only note"
    )  # the body never reaches the timeline


def test_only_staff_of_the_assigned_unit_write_unit_only_notes(city: City, frozen: Any) -> None:
    case = open_pothole(city)
    with pytest.raises(CaseInputError):
        actions.add_note(actor=city.green_expert, case=case, body="x", unit_only=True)
    with pytest.raises(CaseInputError):
        actions.add_note(actor=city.expert, case=case, body="x", unit_only=True, public=True)
    assert not CaseNote.objects.exists()


def test_desk_case_page_hides_another_units_notes(city: City, frozen: Any, client: HttpClient) -> None:
    case = open_pothole(city)
    actions.add_note(actor=city.expert, case=case, body="Tylko dla ZDiT", unit_only=True)
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "Tylko dla ZDiT" in page
    assert 'value="unit"' in page
    client.force_login(city.green_expert)
    response = client.get(f"/desk/cases/{case.uuid}/")
    assert response.status_code == 200
    assert "Tylko dla ZDiT" not in response.content.decode()
    assert 'value="unit"' not in response.content.decode()


def test_desk_form_adds_a_unit_only_note(city: City, frozen: Any, client: HttpClient) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    response = client.post(
        f"/desk/cases/{case.uuid}/note/", {"body": "Nasze", "visibility": "unit", "version": case.version}
    )
    assert response.status_code == 302
    assert CaseNote.objects.get().visibility == CaseNote.Visibility.UNIT

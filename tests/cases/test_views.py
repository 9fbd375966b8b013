"""Back office and intake pages over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from okienko.cases import actions
from okienko.cases.models import Case, SavedFilter
from okienko.catalogue.models import StandardText
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


def test_team_queue_lists_unit_cases_sorted_by_deadline_without_n_plus_1(
    city: City, frozen: Any, client: Client
) -> None:
    first = open_pothole(city)
    open_pothole(city, service=city.tree, answers={}, location=None)  # triage, not roads
    client.force_login(city.expert)
    client.get("/desk/cases/team/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/desk/cases/team/")
    assert response.status_code == 200
    assert [row[0].number for row in response.context["rows"]] == [first.number]
    for _ in range(10):
        open_pothole(city)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/desk/cases/team/")
    assert len(response.context["rows"]) == 11
    assert len(many) == len(few)


def test_personal_queue_includes_covered_colleague(city: City, frozen: Any, client: Client, make_user: Any) -> None:
    from okienko.accounts.roles import Role
    from okienko.cases.models import Cover

    colleague = make_user("colleague", roles=[(city.roads, Role.EXPERT)])
    case = open_pothole(city)
    actions.assign_case(actor=city.supervisor, case=case, user=colleague)
    client.force_login(city.expert)
    assert client.get("/desk/cases/").context["rows"] == []
    Cover.objects.create(absent=colleague, covering=city.expert, starts_on="2026-11-20", ends_on="2026-11-27")
    rows = client.get("/desk/cases/").context["rows"]
    assert [row[0].pk for row in rows] == [case.pk]


def test_overdue_filter(city: City, frozen: Any, client: Client) -> None:
    open_pothole(city)
    client.force_login(city.expert)
    assert len(client.get("/desk/cases/team/?overdue=1").context["rows"]) == 0
    frozen.move_to("2026-12-01 08:00:00+00:00")
    client.force_login(city.expert)  # sessions expire after a week
    assert len(client.get("/desk/cases/team/?overdue=1").context["rows"]) == 1
    assert len(client.get("/desk/cases/team/?overdue=3").context["rows"]) == 0


def test_saved_filter_shared_with_team(city: City, frozen: Any, client: Client, make_user: Any) -> None:
    from okienko.accounts.roles import Role

    client.force_login(city.expert)
    client.post("/desk/cases/filters/save/", {"name": "Late", "query": "overdue=1", "scope": "team", "share": "1"})
    saved = SavedFilter.objects.get()
    assert saved.shared_with == city.roads
    mate = make_user("mate", roles=[(city.roads, Role.EXPERT)])
    client.force_login(mate)
    response = client.get(f"/desk/cases/filters/{saved.pk}/")
    assert response["Location"] == "/desk/cases/team/?overdue=1"


def test_bulk_assign_by_supervisor(city: City, frozen: Any, client: Client) -> None:
    cases = [open_pothole(city), open_pothole(city)]
    client.force_login(city.supervisor)
    client.post("/desk/cases/bulk-assign/", {"case": [c.pk for c in cases], "user": city.expert.pk})
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {city.expert.pk}


def test_detail_shows_only_allowed_actions(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.consultant)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert '<option value="resolved">' not in page
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert '<option value="resolved">' in page
    assert '<option value="waiting_client">' in page


def test_outsider_cannot_see_case(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.outsider)
    assert client.get(f"/desk/cases/{case.uuid}/").status_code == 403


def test_ask_then_resolve_over_http_with_history(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    url = f"/desk/cases/{case.uuid}/status/"
    client.post(url, {"action": "ask", "message": "Which lane?", "version": 1})
    case.refresh_from_db()
    assert (case.status, case.sla_paused_at is not None) == ("waiting_client", True)
    client.post(url, {"action": "status", "to_status": "in_progress", "version": case.version})
    client.post(url, {"action": "resolve", "message": "Patched", "version": case.version + 1})
    case.refresh_from_db()
    assert case.status == "resolved"
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert page.count("<li><time") == len(case.events.all())


def test_stale_form_gets_409_and_nothing_changes(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    client.post(f"/desk/cases/{case.uuid}/note/", {"body": "first", "version": 1})
    response = client.post(
        f"/desk/cases/{case.uuid}/status/", {"action": "status", "to_status": "in_progress", "version": 1}
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == "assigned"


def test_standard_reply_preview_fills_placeholders(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    text = StandardText.objects.create(
        organisation=city.city,
        service=city.pothole,
        status="assigned",
        code="ack",
        title="Ack",
        body="Sprawa {number} ({service}) dla {client_name}, termin {deadline}. {unknown}",
    )
    client.force_login(city.expert)
    body = client.get(f"/desk/cases/{case.uuid}/reply-preview/?text={text.pk}").context["body"]
    assert body.startswith("Sprawa LDZ/2026/000001 (Pothole) dla Jan Kowalski, termin ")
    assert body.endswith("{unknown}")


def test_intake_opens_routed_case(city: City, frozen: Any, client: Client) -> None:
    client.force_login(city.consultant)
    session = client.session
    assert client.get("/desk/cases/new/?search=pot").context["found"][0] == city.pothole
    response = client.post(
        "/desk/cases/new/",
        {
            "service": str(city.pothole.uuid),
            "description": "Hole",
            "q_size": "small",
            "latitude": "51.759",
            "longitude": "19.457",
            "channel": "phone",
            "priority": "normal",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/desk/cases/{case.uuid}/"
    assert case.assigned_unit == city.roads
    assert session is not None


def test_intake_missing_answer_and_location_shows_errors(city: City, frozen: Any, client: Client) -> None:
    client.force_login(city.consultant)
    response = client.post("/desk/cases/new/", {"service": str(city.pothole.uuid), "description": "Hole"})
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"size", "location"}
    assert Case.objects.count() == 0


def test_intake_suggests_nearby_duplicates(city: City, frozen: Any, client: Client) -> None:
    near = open_pothole(city)
    open_pothole(city, location={"latitude": "51.7600", "longitude": "19.4570"})  # ~110 m away
    client.force_login(city.consultant)
    response = client.get(f"/desk/cases/new/duplicates/?service={city.pothole.uuid}&latitude=51.7592&longitude=19.4571")
    assert [c.pk for c in response.context["duplicates"]] == [near.pk]


def test_geo_boundaries_are_served_filtered(city: City, client: Client) -> None:
    client.force_login(city.consultant)
    data = client.get("/desk/cases/geo/powiaty.geojson?prefix=1061").json()
    assert [f["properties"]["teryt"] for f in data["features"]] == ["1061"]


def test_split_and_merge_from_the_detail_page(city: City, frozen: Any, client: Client) -> None:
    original = open_pothole(city)
    dup = open_pothole(city)
    client.force_login(city.supervisor)
    client.post(f"/desk/cases/{dup.uuid}/merge/", {"into": original.number.lower(), "version": 1})
    dup.refresh_from_db()
    assert dup.duplicate_of_id == original.pk
    original.refresh_from_db()  # the merge bumped its version
    client.post(
        f"/desk/cases/{original.uuid}/split/",
        {"unit": [city.roads.pk, city.green.pk], "description": ["road", "verge"], "version": original.version},
    )
    original.refresh_from_db()
    assert original.status == "split"
    assert sorted(original.children.values_list("description", flat=True)) == ["road", "verge"]


def test_queue_count_is_capped(city: City, frozen: Any, client: Client, monkeypatch: Any) -> None:
    from okienko.cases import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    for _ in range(4):
        open_pothole(city)
    client.force_login(city.expert)
    response = client.get("/desk/cases/team/")
    assert response.context["page"].paginator.capped
    assert "ponad 1000" in response.content.decode()  # the desk speaks Polish by default


def test_a_party_without_a_name_or_client_is_not_shown_as_none(city: City, frozen: Any, client: Client) -> None:
    from okienko.cases.models import CaseParty

    case = open_pothole(city)
    CaseParty.objects.create(case=case, role=CaseParty.Role.REPORTER)
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "bez danych" in page
    assert ": None" not in page
    assert "(widoczne dla klienta)</span>" in page  # a public history entry, not "(publiczne)"

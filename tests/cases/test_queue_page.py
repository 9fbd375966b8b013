"""The 2nd-line queue: address, priority, age and deadline columns, a map view, one reply-and-status
box on the case (issue 12, item 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from okienko.cases import actions
from okienko.cases.models import Case
from okienko.catalogue.models import StandardText
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """Pages in English: assertions compare the English source messages."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _cells(html: str, number: str) -> str:
    start = html.index(number)
    return html[start : html.index("</tr>", start)]


def test_the_queue_shows_address_priority_age_and_deadline(city: City, frozen: Any, client: Client) -> None:
    old = open_pothole(city, priority="urgent")
    frozen.move_to("2026-11-26 09:00:00+00:00")
    new = open_pothole(city, location={"address": "Zielona 3"})
    client.force_login(city.expert)
    response = client.get("/desk/cases/team/")
    html = response.content.decode()
    for header in ("Address", "Priority", "Age", "Resolve by"):
        assert f'<th scope="col">{header}</th>' in html
    assert [row[2] for row in response.context["rows"]] == [3, 0]
    old_row, new_row = _cells(html, old.number), _cells(html, new.number)
    assert "Piotrkowska 104" in old_row
    assert '<span class="priority-urgent">urgent</span>' in old_row
    assert "3 days" in old_row
    assert "Zielona 3" in new_row
    assert "today" in new_row
    assert "<time datetime=" in new_row


def test_the_queue_filters_by_priority_and_sorts_the_most_urgent_first(city: City, frozen: Any, client: Client) -> None:
    normal = open_pothole(city)
    urgent = open_pothole(city, priority="urgent")
    high = open_pothole(city, priority="high")
    client.force_login(city.expert)
    rows = client.get("/desk/cases/team/?sort=priority").context["rows"]
    assert [row[0].pk for row in rows] == [urgent.pk, high.pk, normal.pk]
    rows = client.get("/desk/cases/team/?priority=high").context["rows"]
    assert [row[0].pk for row in rows] == [high.pk]


@pytest.mark.parametrize(
    "query", ["priority=extreme", "sort=%27;drop", "view=satellite", "priority=&view=map&sort=", "page=-1"]
)
def test_bad_queue_parameters_fall_back_to_the_defaults(city: City, client: Client, query: str) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    response = client.get(f"/desk/cases/team/?{query}")
    assert response.status_code == 200
    assert case.number in response.content.decode()


def test_the_map_view_carries_the_located_cases_of_the_filter(city: City, frozen: Any, client: Client) -> None:
    located = open_pothole(city, priority="high")
    unlocated = open_pothole(city, location={"address": "Przy szkole"})
    client.force_login(city.expert)
    response = client.get("/desk/cases/team/?view=map&status=open")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="queue-map"' in html
    assert "vendor/leaflet/leaflet.js" in html
    start = html.index('<script id="queue-points" type="application/json">') + len(
        '<script id="queue-points" type="application/json">'
    )
    points = json.loads(html[start : html.index("</script>", start)])
    assert [(p["number"], p["priority"], p["lat"], p["lon"]) for p in points] == [
        (located.number, "high", 51.759, 19.457)
    ]
    assert points[0]["url"] == f"/desk/cases/{located.uuid}/"
    assert response.context["unlocated"] == 1
    assert unlocated.number not in html.split('id="queue-map"')[1]  # not in the list of the map either
    assert "1 case has no place and is only in the list." in html
    # The switch keeps the filter and marks the current view.
    assert 'href="?status=open&amp;sort=due&amp;view=map" aria-current="page">Map</a>' in html
    # The list view does not load the map library.
    assert "leaflet.js" not in client.get("/desk/cases/team/").content.decode()


def test_the_map_view_costs_the_same_queries_for_many_cases(city: City, frozen: Any, client: Client) -> None:
    open_pothole(city)
    client.force_login(city.expert)
    client.get("/desk/cases/team/?view=map")
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/cases/team/?view=map")
    for _ in range(8):
        open_pothole(city)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/desk/cases/team/?view=map")
    assert len(response.context["points"]) == 9
    assert len(many) == len(few)


def test_the_map_is_capped(city: City, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from okienko.cases import queue_map

    monkeypatch.setattr(queue_map, "MAP_LIMIT", 2)
    for _ in range(3):
        open_pothole(city)
    client.force_login(city.expert)
    response = client.get("/desk/cases/team/?view=map")
    assert len(response.context["points"]) == 2
    assert "Only the first 2 of the filter are shown; narrow the filter." in response.content.decode()


# -- one reply-and-status box ------------------------------------------------------------------
def _post(client: Client, case: Case, **data: str) -> Any:
    case.refresh_from_db()
    return client.post(
        f"/desk/cases/{case.uuid}/status/", {"action": "update", "version": str(case.version), **data}, follow=True
    )


def test_the_case_has_one_reply_and_status_box_without_the_step_back_to_registered(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    response = client.get(f"/desk/cases/{case.uuid}/")
    html = response.content.decode()
    assert html.count('id="to-status"') == 1
    assert html.count('id="reply-message"') == 1
    options = [value for value, _label in response.context["status_options"]]
    assert "registered" not in options
    assert {"in_progress", "waiting_client", "resolved"} <= set(options)
    assert "no change (assigned)" in html


def test_a_message_without_a_status_is_a_public_update(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    _post(client, case, message="Ekipa będzie na miejscu jutro.", to_status="")
    case.refresh_from_db()
    assert case.status == "assigned"
    assert case.notes.get().body == "Ekipa będzie na miejscu jutro."
    assert case.notes.get().visibility == "public"


def test_asking_the_client_through_the_box_pauses_the_deadline(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    _post(client, case, message="Prosimy o zdjęcie.", to_status="waiting_client")
    case.refresh_from_db()
    assert case.status == "waiting_client"
    assert case.sla_paused_at is not None


def test_resolving_needs_the_message(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    page = _post(client, case, message="  ", to_status="resolved").content.decode()
    assert "Tell the client how the matter was resolved." in page
    case.refresh_from_db()
    assert case.status == "assigned"
    _post(client, case, message="Naprawione.", to_status="resolved")
    case.refresh_from_db()
    assert case.status == "resolved"


def test_a_plain_status_change_takes_an_optional_note(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    _post(client, case, message="", to_status="in_progress")
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert not case.notes.exists()


def test_the_box_refuses_the_step_back_to_registered_and_unknown_statuses(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    for status in ("registered", "closed", "nonsense", "new"):
        page = _post(client, case, message="x", to_status=status).content.decode()
        assert "This status cannot be chosen here." in page
    case.refresh_from_db()
    assert case.status == "assigned"


def test_the_older_status_form_refuses_the_step_back_to_registered_too(city: City, client: Client) -> None:
    """The per-action form (``action=status``) goes through the workflow, which has no way back."""
    case = open_pothole(city)
    actions.transition_case(actor=city.expert, case=case, to_status="in_progress")
    client.force_login(city.expert)
    page = client.post(
        f"/desk/cases/{case.uuid}/status/", {"action": "status", "to_status": "registered"}, follow=True
    ).content.decode()
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert "message-error" in page


def test_an_empty_box_says_what_to_do(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    page = _post(client, case, message="", to_status="").content.decode()
    assert "Write a message to the client or choose a new status." in page


def test_reopening_through_the_box(city: City, client: Client) -> None:
    case = open_pothole(city)
    actions.resolve_case(actor=city.expert, case=case, message="Naprawione.")
    client.force_login(city.expert)
    assert "reopened" in [v for v, _l in client.get(f"/desk/cases/{case.uuid}/").context["status_options"]]
    _post(client, case, message="Dziura wróciła.", to_status="reopened", client_request="1")
    case.refresh_from_db()
    assert case.status == "reopened"


def test_a_stale_box_is_refused_without_losing_the_case(city: City, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    response = client.post(
        f"/desk/cases/{case.uuid}/status/",
        {"action": "update", "version": "999", "message": "x", "to_status": "in_progress"},
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == "assigned"


def test_service_replies_are_offered_and_marked(city: City, client: Client) -> None:
    case = open_pothole(city)
    StandardText.objects.create(
        organisation=city.city, service=city.pothole, code="fixed", title="Pothole fixed", body="{case_number} done"
    )
    StandardText.objects.create(organisation=city.city, service=city.tree, code="tree", title="Tree cut", body="cut")
    client.force_login(city.expert)
    html = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "Pothole fixed (this service)" in html
    assert "Tree cut" not in html

"""The desk's management dashboard /desk/reports/ (issue 20, item 2): scope per role, periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client as WebClient
from hypothesis import given

from okienko.accounts.roles import Role
from okienko.core import events
from okienko.interactions.actions import record_interaction
from okienko.reports import dashboard, rollups
from okienko.reports.models import CaseDay, ContactDay
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

MONDAY = "2026-11-23 09:00:00+00:00"  # 10:00 in Warsaw
URL = "/desk/reports/"


def figures(city: City) -> None:
    """Two cases of the roads unit (jurisdiction: the city), three contacts at the contact centre,
    one in the roads unit, and another city's rows with numbers that must never show."""
    with time_machine.travel(MONDAY, tick=False):
        open_pothole(city)
        open_pothole(city, description="Another hole")
        for outcome in ("answered", "answered", "transferred"):
            record_interaction(actor=city.consultant, channel="phone", organisation=city.centre, outcome=outcome)
        record_interaction(actor=city.expert, channel="email", organisation=city.roads)
        record_interaction(actor=city.outsider, channel="sms", organisation=city.other_city)
    events.deliver_due()
    CaseDay.objects.create(
        day=dt.date(2026, 11, 23), organisation_id=city.other_city.pk, service_id=1, channel="web", opened=7771
    )
    ContactDay.objects.create(
        day=dt.date(2026, 11, 23),
        organisation_id=city.other_city.pk,
        channel="chat",
        direction="in",
        outcome="answered",
        hour=10,
        contacts=8882,
    )
    rollups.rebuild_months()  # the rows above were written straight into the day tables


def board(client: WebClient, **query: str) -> Any:
    with time_machine.travel("2026-11-30 09:00:00+00:00", tick=False):
        return client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en")


def test_a_director_sees_the_whole_subtree_and_staff(city: City, staff_client: Any) -> None:
    figures(city)
    response = board(staff_client(city.supervisor))
    assert response.status_code == 200
    found = response.context["board"]
    assert (found.cases.opened, found.backlog, found.contacts.contacts) == (2, 2, 4)
    assert found.contacts.first_contact_percent == 75
    assert "staff" in found.contacts_by
    assert {line.label for line in found.contacts_by["staff"]} == {"Test consultant", "Test expert"}
    assert sum(line.contacts for line in found.contacts_by["hour"]) == 4
    assert len(found.contacts_by["hour"]) == 24
    assert len(found.contacts_by["weekday"]) == 7
    html = response.content.decode()
    for secret in ("7771", "8882", "Other city"):
        assert secret not in html
    assert 'data-chart="contacts-hour-chart-data"' in html
    assert 'id="contacts-hour-chart-data" type="application/json"' in html
    assert "<caption" in html


def test_a_unit_head_sees_only_their_unit(city: City, make_user: Any, staff_client: Any) -> None:
    figures(city)
    head = make_user("roadhead", roles=[(city.roads, Role.SUPERVISOR)])
    found = board(staff_client(head)).context["board"]
    assert (found.cases.opened, found.contacts.contacts, found.backlog) == (2, 1, 2)  # the unit's cases and contact
    assert [line.label for line in found.cases_by["unit"]] == ["Roads"]
    assert {line.label for line in found.contacts_by["organisation"]} == {"Roads"}


def test_a_green_unit_head_sees_no_road_cases(city: City, make_user: Any, staff_client: Any) -> None:
    figures(city)
    head = make_user("greenhead", roles=[(city.green, Role.SUPERVISOR)])
    found = board(staff_client(head)).context["board"]
    assert (found.cases.opened, found.contacts.contacts, found.backlog) == (0, 0, 0)


def test_an_analyst_sees_the_figures_but_not_per_person(city: City, make_user: Any, staff_client: Any) -> None:
    figures(city)
    analyst = make_user("analyst", roles=[(city.city, Role.ANALYST)])
    found = board(staff_client(analyst)).context["board"]
    assert found.contacts.contacts == 4
    assert "staff" not in found.contacts_by


def test_a_consultant_is_refused(city: City, staff_client: Any) -> None:
    assert board(staff_client(city.consultant)).status_code == 403


def test_the_same_period_last_year_is_compared(city: City, staff_client: Any) -> None:
    figures(city)
    CaseDay.objects.create(
        day=dt.date(2025, 11, 3), organisation_id=city.city.pk, service_id=city.pothole.pk, channel="web", opened=5
    )
    rollups.rebuild_months()
    found = board(staff_client(city.supervisor)).context["board"]
    assert (found.period.since, found.period.until) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert found.cases_last_year.opened == 5


def test_narrowing_to_an_office_outside_the_scope_is_refused(city: City, make_user: Any, staff_client: Any) -> None:
    figures(city)
    head = make_user("roadhead", roles=[(city.roads, Role.SUPERVISOR)])
    client = staff_client(head)
    response = board(client, organisation="ldz-ckm")
    assert response.status_code == 400
    assert response.context["board"] is None
    assert board(client, organisation="ldz-roads").status_code == 200


def test_bad_periods_are_refused_with_a_reason(city: City, staff_client: Any) -> None:
    client = staff_client(city.supervisor)
    for query, reason in (
        ({"since": "2016-01-01", "until": "2026-01-01"}, "at most two years"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, "ends before it starts"),
        ({"since": "yesterday"}, "is not a date"),
        ({"since": "1066-10-14"}, "between 2000 and 2100"),
    ):
        response = board(client, **query)
        assert response.status_code == 400, query
        assert reason in response.content.decode(), query


def test_parse_period() -> None:
    today = dt.date(2026, 11, 30)
    assert dashboard.parse_period(None, None, today) == dashboard.Period(dt.date(2026, 11, 1), today)
    assert dashboard.parse_period("2026-01-01", None, today).until == today
    assert dashboard.parse_period("2020-01-01", None, today).days == dashboard.MAX_DAYS  # two years from the start
    assert dashboard.parse_period(None, "2026-02-10", today).since == dt.date(2026, 2, 1)
    leap = dashboard.Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).last_year()
    assert leap.since == dt.date(2023, 2, 28)


@SETTINGS
@given(text=HOSTILE)
def test_hostile_query_strings_never_fail(city: City, client: WebClient, text: str) -> None:
    client.force_login(city.supervisor)
    client.raise_request_exception = False
    for name in ("since", "until", "organisation"):
        assert client.get(URL, {name: text}).status_code in (200, 400)


def test_a_case_moved_to_another_unit_moves_in_the_rollups_at_once(city: City) -> None:
    from okienko.cases.actions import assign_case

    with time_machine.travel(MONDAY, tick=False):
        case = open_pothole(city)
        events.deliver_due()
        assert list(CaseDay.objects.values_list("unit_id", "opened")) == [(city.roads.pk, 1)]
        assign_case(actor=city.supervisor, case=case, unit=city.green)
        events.deliver_due()
    assert list(CaseDay.objects.values_list("unit_id", "opened")) == [(city.green.pk, 1)]


def test_the_navigation_offers_the_reports_to_readers_only(city: City, staff_client: Any) -> None:
    assert 'href="/desk/reports/"' in board(staff_client(city.supervisor)).content.decode()
    home = staff_client(city.consultant).get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/desk/reports/"' not in home

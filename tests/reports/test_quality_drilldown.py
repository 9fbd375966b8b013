"""The qualitative report, second slice (issue 20, item 3): office hours on each case's calendar,
complaints/appeals/petitions against their statutory deadlines, unhappy survey answers, cases that
skipped a workflow step, the cases behind each count (scoped), the export and the year before."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import pytest
import time_machine
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.cases import actions
from okienko.catalogue.models import Service
from okienko.core.calendar import DEFAULT, BusinessCalendar
from okienko.notifications import models as notification_models
from okienko.notifications.models import SurveyResponse
from okienko.reports import quality
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

URL = "/desk/reports/quality/"
CASES = "/desk/reports/quality/cases/"
NOVEMBER = {"since": "2026-11-01", "until": "2026-11-30"}
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 12, 31, 9, tzinfo=dt.UTC)


def _fixture(city: City) -> dict[str, Any]:
    """Monday 23 November 2026, 10:00 in Warsaw (office hours 8–16 by default): a case worked and
    resolved with a reply (the resident was unhappy with it), and a case resolved straight from
    "assigned" without a word to the resident (a step skipped)."""
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        done = open_pothole(city)
        skipped = open_pothole(city)
        done = actions.transition_case(actor=city.expert, case=done, to_status="in_progress")
    with time_machine.travel("2026-11-24 11:00:00+00:00", tick=False):  # Tuesday 12:00 in Warsaw
        done = actions.resolve_case(actor=city.expert, case=done, message="Załatane.")
        skipped = actions.transition_case(actor=city.expert, case=skipped, to_status="resolved")
    SurveyResponse.objects.create(
        case=done, organisation=city.city, unit=city.roads, service=city.pothole, rating=1, submitted_at=NOW
    )
    return {"done": done, "skipped": skipped}


def test_office_hours_unhappy_answers_and_skipped_steps(city: City) -> None:
    _fixture(city)
    [line] = quality.report([city.city.pk], START, END, NOW)
    assert line.cases == 2
    # responded at registration (0 h) both; resolved Monday 10:00 → Tuesday 12:00: 26 calendar
    # hours, but only 6 + 4 office hours
    assert line.resolution_hours == 26.0
    assert line.resolution_office_hours == 10.0
    assert line.resolved == 2
    assert line.unhappy == 1
    assert line.skipped_step == 1
    numbers = list(
        quality.cases_for([city.city.pk], START, END, NOW, measure=quality.SKIPPED_STEP).values_list(
            "number", flat=True
        )
    )
    assert len(numbers) == 1
    total = quality.total([line])
    assert (total.unhappy, total.skipped_step, total.resolution_office_hours) == (1, 1, 10.0)


def test_the_unhappy_threshold_is_the_surveys_own() -> None:
    assert quality.UNHAPPY_RATING == notification_models.UNHAPPY_RATING


@pytest.mark.parametrize(
    "calendar",
    [
        DEFAULT,
        BusinessCalendar(
            hours={0: ((dt.time(7, 30), dt.time(12)), (dt.time(13), dt.time(18))), 5: ((dt.time(9), dt.time(13)),)}
        ),
    ],
)
def test_the_timeline_counts_office_time_as_the_calendar_does(calendar: BusinessCalendar) -> None:
    """Across a public holiday (11 November) and the change to winter time (25 October)."""
    timeline = quality.WorkingTimeline(calendar, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    rng = random.Random(20)
    base = dt.datetime(2026, 10, 2, tzinfo=dt.UTC)
    for _ in range(200):
        a = base + dt.timedelta(minutes=rng.randrange(0, 80 * 24 * 60))
        b = min(a + dt.timedelta(minutes=rng.randrange(0, 20 * 24 * 60)), dt.datetime(2026, 12, 31, tzinfo=dt.UTC))
        assert timeline.between(a, b) == calendar.working_time_between(a, b).total_seconds()


def test_complaints_against_the_statutory_month(city: City) -> None:
    Service.objects.filter(pk=city.pothole.pk).update(case_type=Service.CaseType.COMPLAINT)
    with time_machine.travel("2026-10-01 08:00:00+00:00", tick=False):
        late, in_time, running = open_pothole(city), open_pothole(city), open_pothole(city)
    with time_machine.travel("2026-10-20 08:00:00+00:00", tick=False):
        actions.resolve_case(actor=city.expert, case=in_time, message="Skarga zasadna.")
    with time_machine.travel("2026-11-05 08:00:00+00:00", tick=False):
        actions.resolve_case(actor=city.expert, case=late, message="Skarga bezzasadna.")
    start, end = dt.datetime(2026, 10, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    [line] = quality.report([city.city.pk], start, end, NOW)
    assert (line.case_type, line.special, line.special_late, line.special_late_percent) == ("complaint", 3, 2, 67)
    behind = quality.cases_for([city.city.pk], start, end, NOW, measure="special_late")
    assert set(behind.values_list("pk", flat=True)) == {late.pk, running.pk}
    # on 31 October the running one is not late yet
    early = quality.report([city.city.pk], start, end, dt.datetime(2026, 10, 31, 9, tzinfo=dt.UTC))[0]
    assert early.special_late == 1
    assert quality.statutory_due("petition", dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)) == dt.datetime(
        2027, 2, 28, 9, tzinfo=dt.UTC
    )
    assert quality.statutory_due("ordinary", NOW) is None


def test_the_cases_behind_a_count_are_listed_only_to_readers_who_may_open_them(city: City, make_user: Any) -> None:
    cases = _fixture(city)
    unit_head = make_user("head", roles=[(city.roads, Role.SUPERVISOR)])
    green_head = make_user("greenhead", roles=[(city.green, Role.SUPERVISOR)])
    analyst = make_user("analyst", roles=[(city.city, Role.ANALYST)])
    administrator = make_user("admin", roles=[(city.city, Role.ADMINISTRATOR)])
    elsewhere = make_user("elsewhere", roles=[(city.other_city, Role.ANALYST)])
    number = cases["skipped"].number
    query = {**NOVEMBER, "measure": quality.SKIPPED_STEP}
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        for user, listed, counted in [
            (unit_head, True, 1),
            (analyst, True, 1),
            (administrator, False, 1),  # reports, but no cases: counts only
            (green_head, False, 0),
            (elsewhere, False, 0),
        ]:
            http = WebClient()
            http.force_login(user)
            response = http.get(CASES, query)
            assert response.status_code == 200, user.username
            html = response.content.decode()
            assert (number in html) is listed, user.username
            assert f"/desk/cases/{cases['skipped'].uuid}/" in html if listed else True
            assert response.context["counted"] == counted, user.username
            quality_page = http.get(URL, NOVEMBER).content.decode()
            assert ("Pothole" in quality_page) is bool(counted), user.username
        for user in (city.consultant, city.expert):
            http = WebClient()
            http.force_login(user)
            assert http.get(CASES, query).status_code == 403
            assert http.get(URL + "quality.csv", NOVEMBER).status_code == 403


def test_bad_input_is_answered_with_a_readable_message(city: City) -> None:
    http = WebClient()
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        http.force_login(city.supervisor)
        for query in [
            {**NOVEMBER, "measure": "everything"},
            {**NOVEMBER, "measure": "overdue", "matter": "999999"},
            {**NOVEMBER, "measure": "overdue", "unit": "x"},
            {"since": "2016-01-01", "until": "2026-12-31", "measure": "overdue"},
            {"since": "2026-12-31", "until": "2026-12-01", "measure": "overdue"},
        ]:
            response = http.get(CASES, query)
            assert response.status_code == 400, query
            assert 'role="alert"' in response.content.decode()
        unknown = http.get(URL, {**NOVEMBER, "service": "no-such-matter"})
        assert unknown.status_code == 400
        assert "no-such-matter" in unknown.content.decode()
        assert http.get(URL + "quality.csv", {"since": "2026-12-31", "until": "2026-01-01"}).status_code == 400
        assert http.get(URL + "quality.pdf", NOVEMBER).status_code == 404
        assert http.get(CASES, {**NOVEMBER, "measure": "cases", "page": "abc"}).status_code == 200


def test_one_service_the_export_and_the_year_before(city: City) -> None:
    _fixture(city)
    with time_machine.travel("2025-11-24 09:00:00+00:00", tick=False):
        open_pothole(city)  # a year before: one case, never resolved
    http = WebClient()
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        http.force_login(city.supervisor)
        page = http.get(URL, {**NOVEMBER, "service": "pothole"})
        assert page.status_code == 200
        trends = {str(t.label): t for t in page.context["trends"]}
        overdue = trends["Past the deadline"] if "Past the deadline" in trends else next(iter(trends.values()))
        assert (overdue.now, overdue.year_before, overdue.change) == (0.0, 100.0, -100.0)
        assert http.get(URL, {**NOVEMBER, "service": "tree"}).context["lines"] == []
        exported = http.get(URL + "quality.csv", NOVEMBER)
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode().lstrip("\ufeff"))))
        assert len(rows) == 2
        assert rows[1][:4] == ["Roads", "Pothole", rows[1][2], "2"]
        book = http.get(URL + "quality.xlsx", NOVEMBER)
        assert book.status_code == 200
        assert book.content[:2] == b"PK"


@SETTINGS
@given(key=st.sampled_from(["since", "until", "measure", "unit", "matter", "service", "page"]), text=HOSTILE)
def test_hostile_query_strings_never_fail(city: City, key: str, text: str) -> None:
    http = WebClient(raise_request_exception=False)
    http.force_login(city.supervisor)
    query = {**NOVEMBER, "measure": "overdue", key: text}
    assert http.get(CASES, query).status_code in (200, 400)
    assert http.get(URL + "quality.csv", query).status_code in (200, 400)
    assert http.get(URL, query).status_code in (200, 400)


def test_the_desk_catalogue_names_a_services_case_type(city: City) -> None:
    Service.objects.filter(pk=city.pothole.pk).update(case_type=Service.CaseType.COMPLAINT)
    http = WebClient()
    http.force_login(city.supervisor)
    html = http.get(f"/desk/catalogue/{city.pothole.uuid}/").content.decode()
    assert "Typ sprawy" in html
    assert "skarga" in html


def test_the_cases_behind_one_line_name_its_unit_and_matter(city: City) -> None:
    _fixture(city)
    http = WebClient()
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        http.force_login(city.supervisor)
        query = {**NOVEMBER, "measure": "cases", "unit": city.roads.pk, "matter": city.pothole.pk}
        response = http.get(CASES, query)
        assert response.status_code == 200
        assert (response.context["unit_name"], response.context["matter_name"]) == ("Roads", "Pothole")
        assert response.context["counted"] == 2
        assert http.get(CASES, {**query, "unit": city.green.pk}).context["counted"] == 0
        assert http.get(CASES, {**query, "matter": city.tree.pk}).context["counted"] == 0

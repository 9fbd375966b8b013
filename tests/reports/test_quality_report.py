"""The desk's qualitative report (issue 20, item 3): deadlines exceeded (and 3×), times to the first
response and to resolution, reopened cases and cases changed after closing, per role's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.roles import Role
from okienko.cases import actions
from okienko.core import clock
from okienko.reports import quality
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

URL = "/desk/reports/quality/"
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}


def _fixture(city: City) -> None:
    """Three potholes on Monday 23 November 2026 (10:00 in Warsaw), handled by Roads:
    one resolved within a day and closed, then noted after closing; one never touched;
    one resolved and reopened."""
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        done = open_pothole(city)
        open_pothole(city)
        again = open_pothole(city)
        done = actions.transition_case(actor=city.expert, case=done, to_status="in_progress")
    with time_machine.travel("2026-11-23 11:00:00+00:00", tick=False):
        again = actions.transition_case(actor=city.expert, case=again, to_status="in_progress")
    with time_machine.travel("2026-11-24 11:00:00+00:00", tick=False):
        done = actions.resolve_case(actor=city.expert, case=done, message="Załatane.")
        again = actions.resolve_case(actor=city.expert, case=again, message="Załatane.")
    with time_machine.travel("2026-11-24 12:00:00+00:00", tick=False):
        done = actions.transition_case(actor=city.expert, case=done, to_status="closed")
        again = actions.reopen_case(actor=city.expert, case=again, reason="Dziura wróciła.")
    with time_machine.travel("2026-11-25 12:00:00+00:00", tick=False):
        actions.add_note(actor=city.expert, case=done, body="Poprawka po zamknięciu.")


def test_the_numbers_of_a_small_fixture(city: City) -> None:
    _fixture(city)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    now = dt.datetime(2026, 12, 31, 9, tzinfo=dt.UTC)  # long past 3× five working days
    lines = quality.report([city.city.pk], start, end, now)
    assert len(lines) == 1
    line = lines[0]
    assert (line.unit, line.service, line.cases) == ("Roads", "Pothole", 3)
    # the untouched case and the reopened one run past their deadlines; the closed one was in time
    assert (line.overdue, line.overdue_3x) == (2, 2)
    assert line.response_hours == 1.0  # (0 h + 2 h) / 2 responded cases
    assert line.resolution_hours == 26.0  # only the closed case is still resolved
    assert (line.reopened, line.reopen_percent) == (1, 33)
    assert line.changed_after_closing == 1
    # early on nothing is overdue yet
    early = quality.report([city.city.pk], start, end, dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))[0]
    assert (early.overdue, early.overdue_3x) == (0, 0)
    assert quality.report([city.other_city.pk], start, end, now) == []


def test_each_role_sees_its_scope_and_consultants_are_refused(city: City, make_user: Any) -> None:
    _fixture(city)
    analyst_elsewhere = make_user("analyst", roles=[(city.other_city, Role.ANALYST)])
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        anonymous = WebClient()
        assert anonymous.get(URL).status_code == 302
        for user, expected in [
            (city.consultant, 403),
            (city.expert, 403),
            (city.outsider, 403),
            (city.supervisor, 200),
            (analyst_elsewhere, 200),
        ]:
            http = WebClient()
            http.force_login(user)
            response = http.get(URL, PERIOD)
            assert response.status_code == expected, user.username
            if expected == 200:
                html = response.content.decode()
                assert ("Pothole" in html) is (user == city.supervisor), user.username
                assert "godziny kalendarzowe" in html  # the desk speaks Polish: calendar hours…
                assert "godziny pracy" in html  # …and office hours


def test_the_period_is_bounded_and_bad_dates_are_readable(city: City) -> None:
    http = WebClient()
    with time_machine.travel("2026-12-31 09:00:00+00:00", tick=False):
        http.force_login(city.supervisor)
        assert http.get(URL).status_code == 200  # the last 30 days by default
        assert http.get(URL, {"since": "2016-01-01", "until": "2026-12-31"}).status_code == 400
        assert http.get(URL, {"since": "2026-12-31", "until": "2026-01-01"}).status_code == 400
        assert http.get(URL, {"since": "x", "until": "9999-99-99"}).status_code == 400
        assert http.get(URL, {"since": "0001-01-01", "until": "0001-01-02"}).status_code == 400
        assert clock.now().year == 2026


@SETTINGS
@given(key=st.sampled_from(["since", "until", "page", "x"]), text=HOSTILE)
def test_hostile_query_strings_never_fail(city: City, key: str, text: str) -> None:
    http = WebClient(raise_request_exception=False)
    http.force_login(city.supervisor)
    assert http.get(URL, {"since": "2026-11-01", "until": "2026-11-30", key: text}).status_code in (200, 400)

"""Calls per day and queue on the dashboard (issue 20, item 2), and knowledge-base use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as WebClient
from django.utils import timezone

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.reports import calls, dashboard, tasks
from okienko.reports.models import CallDay
from okienko.telephony import directory
from okienko.telephony.engine.events import CallEvent
from okienko.telephony.models import PhoneQueue

pytestmark = pytest.mark.django_db

WARSAW = dt.timezone(dt.timedelta(hours=1))  # November: winter time


@pytest.fixture
def queues(region: Organisation) -> dict[str, PhoneQueue]:
    found = {}
    for code in ("pup-a", "pup-b"):
        office = Organisation.objects.get(code=code)
        found[code] = PhoneQueue.objects.create(organisation=office, code=f"tel-{code}", name=f"Linia {code}")
    return found


def _calls(at: dt.datetime, queue: str = "tel-pup-a", prefix: str = "c") -> None:
    now = at.timestamp()
    directory.persist(
        [
            CallEvent(now, "queue.enter", call=f"{prefix}1", queue=queue, data={"priority": 0, "position": 1}),
            CallEvent(now + 5, "offer", call=f"{prefix}1", queue=queue, agent="7"),
            CallEvent(now + 8, "connect", call=f"{prefix}1", queue=queue, agent="7", data={"waited": 8, "ring": 3}),
            CallEvent(
                now + 100, "complete", call=f"{prefix}1", queue=queue, agent="7", data={"by": "agent", "talk": 92}
            ),
            CallEvent(now + 1, "queue.enter", call=f"{prefix}2", queue=queue, data={"priority": 0, "position": 2}),
            CallEvent(now + 61, "abandon", call=f"{prefix}2", queue=queue, data={"waited": 60, "position": 1}),
            CallEvent(now + 2, "queue.enter", call=f"{prefix}3", queue=queue, data={"priority": 0, "position": 3}),
            CallEvent(now + 40, "connect", call=f"{prefix}3", queue=queue, agent="8", data={"waited": 38, "ring": 2}),
        ]
    )


def test_a_day_is_counted_as_the_call_reports_count_it(queues: Any) -> None:
    _calls(dt.datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW))
    assert calls.recompute_day(dt.date(2026, 11, 23)) == 1
    row = CallDay.objects.get()
    assert (row.queue, row.organisation_id) == ("tel-pup-a", queues["pup-a"].organisation_id)
    assert (row.offered, row.answered, row.abandoned, row.answered_within) == (3, 2, 1, 1)
    assert row.wait_seconds == pytest.approx(46)
    line = calls.totals([row.organisation_id], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (line.service_level_percent, line.asa_seconds, line.abandoned_percent) == (33, 23, 33)
    assert calls.recompute_day(dt.date(2026, 11, 23)) == 1  # again: the same row, not a second one
    assert CallDay.objects.count() == 1


def test_a_call_across_midnight_counts_once_on_the_day_it_entered(queues: Any) -> None:
    _calls(dt.datetime(2026, 11, 23, 23, 59, 30, tzinfo=WARSAW))  # answered after midnight
    calls.rebuild()
    assert list(CallDay.objects.values_list("day", "offered", "answered")) == [(dt.date(2026, 11, 23), 3, 2)]


def test_the_periodic_refresh_and_the_dashboard_scope(queues: Any, make_user: Any, client: WebClient) -> None:
    with time_machine.travel("2026-11-23 12:00:00+00:00", tick=False):
        _calls(timezone.now() - dt.timedelta(hours=1))
        _calls(timezone.now() - dt.timedelta(hours=1), queue="tel-pup-b", prefix="b")
        assert tasks.refresh_calls() == 2
        office_a = Organisation.objects.get(code="pup-a")
        analyst = make_user("analityk.a", roles=[(office_a, Role.ANALYST)])
        client.force_login(analyst)
        page = client.get("/desk/reports/", {"since": "2026-11-01", "until": "2026-11-30"})
    assert page.status_code == 200
    board = page.context["board"]
    assert board.calls.offered == 3  # the office's own queue only
    assert [name for name, _line in board.calls_by_queue] == ["Linia pup-a"]
    html = page.content.decode()
    assert "Linia pup-b" not in html
    assert "/desk/phone/reports/" in html


def _article(organisation: Organisation, title: str) -> Any:
    from okienko.knowledge import actions
    from okienko.knowledge.models import Article

    return actions.create_article(
        actor=None,
        organisation=organisation,
        title=title,
        slug=title,
        body="",
        status=Article.Status.PUBLISHED,
        audience=Article.Audience.PUBLIC,
    )


def test_knowledge_use_is_counted_in_scope(region: Organisation) -> None:
    from okienko.knowledge.models import ArticleUse, Feedback, SearchLog

    office_a = Organisation.objects.get(code="pup-a")
    office_b = Organisation.objects.get(code="pup-b")
    at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    mine = _article(office_a, "Zasiłek dla bezrobotnych")
    theirs = _article(office_b, "Staż")
    ArticleUse.objects.create(article=mine, organisation=office_a, outcome="answered", at=at)
    ArticleUse.objects.create(article=theirs, organisation=office_b, outcome="answered", at=at)
    Feedback.objects.create(article=mine, helpful=True, at=at)
    Feedback.objects.create(article=mine, helpful=False, at=at)
    Feedback.objects.create(article=theirs, helpful=True, at=at)
    SearchLog.objects.create(at=at, query="zasiłek", normalised="zasiłek", results=3, source="portal")
    SearchLog.objects.create(at=at, query="xyz", normalised="xyz", results=0, source="portal")
    scope = dashboard.Scope(frozenset({office_a.pk}))
    found = dashboard.knowledge(scope, dashboard.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert (found.answered, found.helpful, found.unhelpful, found.helpful_percent) == (1, 1, 1, 50)
    assert (found.searches, found.searches_found_percent) == (2, 50)

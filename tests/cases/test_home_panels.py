"""The desk start page shows each role its work as panels: a count, up to five items with links
and an empty state (issue 12, item 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from okienko.accounts.roles import Role
from okienko.cases import actions
from okienko.core.work_panels import LIMIT
from okienko.interactions import actions as interaction_actions
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


def _panels(client: Client) -> dict[str, dict[str, Any]]:
    """The work panels of the start page by id, as their templates received them."""
    response = client.get("/desk/")
    assert response.status_code == 200
    found: dict[str, dict[str, Any]] = {}
    for context in response.context:
        flat = context.flatten()
        if "panel_id" in flat and "count" in flat:
            found[flat["panel_id"]] = {"count": flat["count"], "items": flat["items"], "more": flat["more_url"]}
    return found


def test_expert_sees_own_cases_nearest_deadline_first(city: City, frozen: Any, client: Client) -> None:
    later = open_pothole(city)
    sooner = open_pothole(city, service=city.tree, answers={}, location=None)
    for case in (later, sooner):
        actions.assign_case(actor=city.supervisor, case=case, unit=city.roads, user=city.expert)
    client.force_login(city.expert)
    panels = _panels(client)
    mine = panels["my-cases"]
    assert mine["count"] == 2
    assert [i.label for i in mine["items"]] == [sooner.number, later.number]
    assert mine["items"][0].url == f"/desk/cases/{sooner.uuid}/"
    assert "triage" not in panels
    assert "overdue" not in panels


def test_expert_without_cases_sees_the_empty_state(city: City, frozen: Any, client: Client) -> None:
    client.force_login(city.green_expert)
    page = client.get("/desk/").content.decode()
    assert _panels(client)["my-cases"]["count"] == 0
    assert 'class="empty"' in page


def test_supervisor_sees_triage_and_overdue_in_scope(city: City, frozen: Any, client: Client) -> None:
    routed = open_pothole(city)  # routed to roads, nobody assigned
    untriaged = open_pothole(city, service=city.tree, answers={}, location=None)  # no responsible unit
    client.force_login(city.supervisor)
    panels = _panels(client)
    assert [i.label for i in panels["triage"]["items"]] == [routed.number, untriaged.number]
    actions.assign_case(actor=city.supervisor, case=routed, unit=city.roads, user=city.expert)
    assert [i.label for i in _panels(client)["triage"]["items"]] == [untriaged.number]
    assert panels["overdue"]["count"] == 0
    frozen.shift(dt.timedelta(days=30))
    client.force_login(city.supervisor)  # the session has expired meanwhile
    panels = _panels(client)
    assert {i.label for i in panels["overdue"]["items"]} == {routed.number, untriaged.number}
    assert panels["overdue"]["more"] == "/desk/cases/team/?overdue=1"


def test_panels_show_at_most_five_items_and_the_full_count(city: City, frozen: Any, client: Client) -> None:
    for _ in range(LIMIT + 2):
        open_pothole(city, service=city.tree, answers={}, location=None)
    client.force_login(city.supervisor)
    triage = _panels(client)["triage"]
    assert (triage["count"], len(triage["items"])) == (LIMIT + 2, LIMIT)


def test_supervisor_of_another_city_sees_none_of_these_cases(
    city: City, frozen: Any, client: Client, make_user: Any
) -> None:
    open_pothole(city, service=city.tree, answers={}, location=None)
    stranger = make_user("stranger", roles=[(city.other_city, Role.SUPERVISOR)])
    client.force_login(stranger)
    assert _panels(client)["triage"]["count"] == 0


def test_consultant_sees_callbacks_due_today(city: City, frozen: Any, client: Client) -> None:
    today = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)
    interaction_actions.request_callback(
        actor=city.consultant,
        organisation=city.centre,
        reason="Oddzwonić w sprawie dziury",
        due_at=today,
        target_user=city.consultant,
        phone="600100200",
    )
    interaction_actions.request_callback(
        actor=city.consultant,
        organisation=city.centre,
        reason="Jutro",
        due_at=today + dt.timedelta(days=1),
        target_user=city.consultant,
        phone="600100201",
    )
    client.force_login(city.consultant)
    panels = _panels(client)
    callbacks = panels["callbacks-today"]
    assert callbacks["count"] == 1
    assert "Oddzwonić w sprawie dziury" in callbacks["items"][0].detail
    assert "my-cases" not in panels


def test_knowledge_editor_sees_articles_due_for_review(city: City, client: Client, make_user: Any) -> None:
    editor = make_user("editor", roles=[(city.city, Role.KNOWLEDGE_EDITOR)])
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        article = knowledge_actions.create_article(
            actor=editor,
            organisation=city.city,
            title="Dziury w jezdni",
            slug="dziury",
            body="Treść",
            status=Article.Status.PUBLISHED,
        )
        Article.objects.filter(pk=article.pk).update(review_by=dt.date(2026, 11, 1))
        client.force_login(editor)
        reviews = _panels(client)["reviews-due"]
    assert reviews["count"] == 1
    assert reviews["items"][0].label == "Dziury w jezdni"

"""Composite desk screens are assembled from panels that apps register (core.panels)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.cases import actions as case_actions
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core import panels
from tests.clients.helpers import offices, person

SLOT = "test_slot"


@pytest.fixture
def slot() -> Iterator[None]:
    yield
    panels._panels.pop(SLOT, None)


def _panel(name: str, order: int = 100, context: Callable[..., Any] | None = None) -> panels.Panel:
    return panels.Panel(SLOT, name, "core/_panel_failed.html", context or (lambda r, o: {"panel": name}), order)


@pytest.mark.usefixtures("slot")
def test_panels_follow_their_order_unless_configured(settings: Any) -> None:
    for name, order in (("b", 20), ("a", 30), ("c", 10)):
        panels.register(_panel(name, order))
    assert [p.name for p in panels.panels_for(SLOT)] == ["c", "b", "a"]
    settings.OKIENKO_PANELS = {SLOT: ["a", "-c"]}
    assert [p.name for p in panels.panels_for(SLOT)] == ["a", "b"]


@pytest.mark.usefixtures("slot")
def test_a_failing_panel_shows_a_notice_and_the_others_still_render() -> None:
    def broken(request: Any, obj: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    panels.register(_panel("ok", 1))
    panels.register(_panel("broken", 2, broken))
    panels.register(_panel("hidden", 3, lambda r, o: None))
    rendered = panels.render_panels(RequestFactory().get("/"), SLOT, None)
    assert [(p.name, p.failed) for p in rendered] == [("ok", False), ("broken", True)]
    assert 'role="alert"' in rendered[1].html


@pytest.mark.django_db
def test_client_card_lists_only_the_open_cases_the_viewer_may_see(
    region: Organisation, make_user: Callable[..., User], client: HttpClient
) -> None:
    pup_a, pup_b, _ = offices()
    category = ServiceCategory.objects.create(organisation=region, code="c", name="c")
    service = Service.objects.create(organisation=region, code="cert", category=category, public_name="Zaświadczenie")
    resident = person(pup_a, "Nowak")
    author = make_user("author", roles=[(region, Role.SUPERVISOR)])
    own = case_actions.open_case(
        actor=author, organisation=pup_a, service=service, description="x", channel="phone", client=resident
    )
    other = case_actions.open_case(
        actor=author, organisation=pup_b, service=service, description="y", channel="phone", client=resident
    )
    client.force_login(make_user("konsultant.a", roles=[(pup_a, Role.CONSULTANT)]))
    page = client.get(f"/desk/clients/{resident.uuid}/").content.decode()
    assert own.number in page
    assert other.number not in page
    for section in ('id="kb-h"', 'id="record-h"', 'id="cases-h"', 'id="callbacks-h"', 'id="history-h"'):
        assert section in page

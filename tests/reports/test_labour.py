"""Labour-office and Kontraktor figures on the desk (issue 20, item 8): per county office and for
the region, in the reader's scope only, with a validated period."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as WebClient
from hypothesis import given

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core import clock
from okienko.interactions.models import Interaction
from okienko.reports import labour
from okienko.reports.rollups import local_day
from tests.jobs.helpers import approved, employer
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(region: Organisation) -> dict[str, Organisation]:
    pup_a, pup_b = Organisation.objects.get(code="pup-a"), Organisation.objects.get(code="pup-b")
    seeker = client_actions.register_client(
        actor=None, home_office=pup_a, first_name="Ewa", last_name="Szukająca", status=Client.Status.UNEMPLOYED
    )
    resident = client_actions.register_client(actor=None, home_office=pup_a, first_name="Jan", last_name="Inny")
    dept = Organisation.objects.get(code="pup-a-dept")
    for org, client in ((pup_a, seeker), (dept, seeker), (pup_a, resident), (pup_b, seeker)):
        Interaction.objects.create(channel="phone", client=client, organisation=org, started_at=clock.now())
    approved(pup_a, employer(pup_a), title="Magazynier", occupation_code="432103")
    return {"wup": region, "pup_a": pup_a, "pup_b": pup_b}


def _lines(result: labour.Labour) -> dict[str, labour.OfficeLine]:
    return {line.name: line for line in result.offices}


def test_figures_per_office_count_a_person_once_per_office(activity: dict[str, Organisation]) -> None:
    today = local_day(clock.now())
    scope = list(Organisation.objects.values_list("pk", flat=True))
    result = labour.figures(scope, today.replace(day=1), today)
    lines = _lines(result)
    assert lines["PUP pup-a"].seekers_contacted == 1  # the office and its department: one person
    assert lines["PUP pup-b"].seekers_contacted == 1
    assert lines["PUP pup-a"].offers == 1
    assert result.total.seekers_contacted == 2
    assert ("4", 1) in result.occupations


def test_the_page_follows_the_readers_scope(
    activity: dict[str, Organisation], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    director = staff_client(make_user("dyrektor", roles=[(activity["wup"], Role.ANALYST)]))
    body = director.get("/desk/reports/labour/").content.decode()
    assert "PUP pup-a" in body
    assert "PUP pup-b" in body
    county = staff_client(make_user("analityk-b", roles=[(activity["pup_b"], Role.ANALYST)]))
    body = county.get("/desk/reports/labour/").content.decode()
    assert "PUP pup-b" in body
    assert "PUP pup-a" not in body
    consultant = staff_client(make_user("konsultant-l", roles=[(activity["pup_a"], Role.CONSULTANT)]))
    assert consultant.get("/desk/reports/labour/").status_code == 403
    assert WebClient().get("/desk/reports/labour/").status_code == 302


def test_bad_periods_are_readable_errors(
    activity: dict[str, Organisation], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(make_user("dyrektor2", roles=[(activity["wup"], Role.ANALYST)]))
    for params in (
        {"since": "2026-12-01", "until": "2026-11-01"},
        {"since": "2020-01-01", "until": "2026-11-01"},
        {"since": "1999-01-01", "until": "1999-02-01"},
        {"since": "x"},
    ):
        response = http.get("/desk/reports/labour/", params)
        assert response.status_code == 400, params
        assert "error" in response.content.decode()

    http.raise_request_exception = False

    @SETTINGS
    @given(text=HOSTILE)
    def run(text: str) -> None:
        assert http.get("/desk/reports/labour/", {"since": text, "until": text}).status_code < 500

    run()

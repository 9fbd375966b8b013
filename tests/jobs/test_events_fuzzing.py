"""Bounded fuzzing of the trainings-and-events surfaces: the portal's catalogues, registration
form and opt-out link, the public API and the desk's forms with hostile input — never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from tests.jobs.events_helpers import event, training
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))
SETTINGS = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def world(region: Organisation, make_user: Callable[..., User], settings: Any) -> dict[str, Any]:
    settings.PORTAL_RATE_LIMITS = {"event_register": 100_000}
    office = Organisation.objects.get(code="pup-a")
    return {
        "training": training(office),
        "event": event(office),
        "user": make_user("org", roles=[(office, "consultant")]),
    }


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@SETTINGS
@given(
    q=HOSTILE,
    occupation=HOSTILE,
    area=HOSTILE,
    office=HOSTILE,
    funding=HOSTILE,
    free=HOSTILE,
    date_from=HOSTILE,
    kind=HOSTILE,
    page=HOSTILE,
)
def test_catalogues_and_api(world: dict[str, Any], **params: Any) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    _ok(http.get("/szkolenia/", params))
    _ok(http.get("/wydarzenia/", params))
    api = {**params, "from": params["date_from"]}
    _ok(http.get("/api/v1/jobs/trainings/", api))
    _ok(http.get("/api/v1/jobs/events/", api))


@SETTINGS
@given(name=HOSTILE, email=HOSTILE, phone=HOSTILE, consent=HOSTILE, started=HOSTILE, website=HOSTILE, token=HOSTILE)
def test_registration_and_opt_out(world: dict[str, Any], **data: Any) -> None:
    cache.clear()
    http = Client()
    token = data.pop("token")
    _ok(http.post(f"/szkolenia/{world['training'].uuid}/", data))
    _ok(http.post(f"/wydarzenia/{world['event'].uuid}/", {**data, "as": "account"}))
    _ok(http.get(f"/wydarzenia/wypisz/{token.replace('/', '')}/"))
    _ok(http.post(f"/wydarzenia/wypisz/{token.replace('/', '')}/"))


@SETTINGS
@given(
    title=HOSTILE,
    start_date=HOSTILE,
    end_date=HOSTILE,
    cost=HOSTILE,
    occupations=HOSTILE,
    capacity=HOSTILE,
    place_teryt=HOSTILE,
    starts_at=HOSTILE,
    reason=HOSTILE,
    registration=HOSTILE,
)
def test_desk_forms(world: dict[str, Any], **data: Any) -> None:
    http = Client()
    http.force_login(world["user"])
    training_uuid, event_uuid = world["training"].uuid, world["event"].uuid
    _ok(http.post("/desk/jobs/events/trainings/new/", {**data, "office": data["capacity"]}))
    _ok(http.post("/desk/jobs/events/events/new/", data))
    _ok(
        http.post(
            f"/desk/jobs/events/trainings/{training_uuid}/",
            {f"item-{k}": v for k, v in data.items()} | {"intent": "save"},
        )
    )
    _ok(
        http.post(f"/desk/jobs/events/events/{event_uuid}/", {"intent": data["title"], "cancel-reason": data["reason"]})
    )
    _ok(http.post(f"/desk/jobs/events/events/{event_uuid}/registrations/", {"registration": data["registration"]}))

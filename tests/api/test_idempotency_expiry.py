"""Idempotency-Key records are replayed within API_IDEMPOTENCY_KEEP_HOURS and purged after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.api.idempotency import purge_expired
from okienko.api.models import IdempotencyRecord
from okienko.api.tasks import purge_idempotency_keys
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory
from okienko.conf.celery import app

CASES = "/api/v1/cases/"
BODY = {"organisation": "city", "service": "pothole", "description": "Dziura", "channel": "phone"}
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def system(region: Organisation, token_client: Callable[..., APIClient]) -> APIClient:
    city = Organisation.objects.get(code="city")
    category = ServiceCategory.objects.create(organisation=city, code="roads", name="Drogi")
    Service.objects.create(
        organisation=city,
        code="pothole",
        category=category,
        public_name="Dziura",
        responsible_unit=Organisation.objects.get(code="city-unit"),
    )
    return token_client(city, ["cases:read", "cases:write"], role="supervisor")


def _post(api: APIClient, at: dt.datetime) -> tuple[int, str, str]:
    with time_machine.travel(at, tick=False):
        response = api.post(CASES, BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-7")
    return response.status_code, response.json()["uuid"], response.get("Idempotent-Replayed", "")


def test_the_replay_window_is_24_hours_by_default() -> None:
    assert settings.API_IDEMPOTENCY_KEEP_HOURS == 24


def test_retry_within_the_window_replays_the_first_response(system: APIClient) -> None:
    first = _post(system, T0)
    again = _post(system, T0 + dt.timedelta(hours=23, minutes=59))
    assert (first[0], again[0]) == (201, 201)
    assert again[1] == first[1]
    assert again[2] == "true"
    assert Case.objects.count() == 1


def test_expired_record_is_purged_by_the_command(system: APIClient) -> None:
    _post(system, T0)
    out = StringIO()
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        call_command("purge_idempotency_keys", stdout=out)
    assert IdempotencyRecord.objects.count() == 1
    with time_machine.travel(T0 + dt.timedelta(hours=24, seconds=1), tick=False):
        call_command("purge_idempotency_keys", stdout=out)
    assert IdempotencyRecord.objects.count() == 0
    assert out.getvalue().splitlines() == [
        "deleted 0 idempotency records older than 24 h",
        "deleted 1 idempotency records older than 24 h",
    ]


def test_same_key_after_expiry_and_purge_creates_a_new_case(system: APIClient) -> None:
    first = _post(system, T0)
    later = T0 + dt.timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        assert purge_expired() == 1
    fresh = _post(system, later)
    assert fresh[0] == 201
    assert fresh[1] != first[1]
    assert fresh[2] == ""
    assert Case.objects.count() == 2
    assert IdempotencyRecord.objects.get().created_at == later


def test_same_key_after_expiry_without_a_purge_creates_a_new_case(system: APIClient) -> None:
    first = _post(system, T0)
    fresh = _post(system, T0 + dt.timedelta(hours=25))
    assert fresh[1] != first[1]
    assert Case.objects.count() == 2


def test_the_window_follows_the_setting(system: APIClient, settings: Any) -> None:
    settings.API_IDEMPOTENCY_KEEP_HOURS = 1
    first = _post(system, T0)
    assert _post(system, T0 + dt.timedelta(minutes=59))[1] == first[1]
    assert _post(system, T0 + dt.timedelta(hours=2))[1] != first[1]


def test_purge_runs_hourly_from_celery_beat(system: APIClient) -> None:
    _post(system, T0)
    entry = app.conf.beat_schedule["api-idempotency-purge"]
    assert (entry["task"], entry["schedule"]) == ("okienko.api.purge_idempotency_keys", 3600.0)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert purge_idempotency_keys.delay().get() == 1
    assert not IdempotencyRecord.objects.exists()

"""Queued Open311 intake (ADR 0040): receipts answered with a token, drained into cases."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from okienko.api.actions import IssuedToken, revoke_api_token
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core.models import AuditRecord
from okienko.integrations.open311 import queue
from okienko.integrations.open311.models import Open311Intake

from .conftest import BASE

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings: Any) -> None:
    settings.OPEN311_INTAKE = "queued"


@pytest.mark.usefixtures("queued")
def test_a_queued_request_gets_a_token_and_becomes_a_case_when_drained(
    post_request: Callable[..., Any], client: Client
) -> None:
    response = post_request(description="Zapadnięta studzienka", address_id="BLD-7", device_id="phone-1")
    assert response.status_code == 201
    item = response.json()[0]
    assert set(item) == {"token", "service_notice", "account_id"}
    token = item["token"]
    assert not Case.objects.exists()
    intake = Open311Intake.objects.get()
    assert (intake.state, str(intake.token)) == ("queued", token)
    assert client.get(f"{BASE}tokens/{token}.json").json() == [{"token": token}]
    xml = client.get(f"{BASE}tokens/{token}.xml").content.decode()
    assert f"<token>{token}</token>" in xml
    assert "service_request_id" not in xml

    assert queue.drain(seconds=10) == {"opened": 1, "rejected": 0, "failed": 0}

    case = Case.objects.get()
    assert str(case.external_token) == token
    assert case.description == "Zapadnięta studzienka"
    assert case.answers == {"size": "40"}
    assert case.open311_submission.address_id == "BLD-7"
    intake.refresh_from_db()
    assert (intake.state, intake.case_id, intake.attempts) == ("opened", case.pk, 1)
    assert client.get(f"{BASE}tokens/{token}.json").json() == [
        {"service_request_id": case.number.replace("/", "-"), "token": token}
    ]
    submitted = AuditRecord.objects.get(action="open311.request_submitted")
    assert submitted.data["token"] == token
    assert submitted.data["received_at"]
    assert AuditRecord.objects.filter(action="case.opened", object_id=str(case.pk)).exists()


@pytest.mark.usefixtures("queued")
def test_queued_requests_are_checked_before_they_are_accepted(post_request: Callable[..., Any]) -> None:
    missing = post_request(**{"attribute[size]": None})
    assert missing.status_code == 400
    assert "size: This answer is required." in missing.json()[0]["description"]
    wrong_choice = post_request(**{"attribute[depth]": "zz"})
    assert wrong_choice.status_code == 400
    empty = post_request(description="")
    assert empty.status_code == 400
    assert not Open311Intake.objects.exists()


@pytest.mark.usefixtures("queued")
def test_a_request_that_cannot_become_a_case_is_rejected_and_reported_on_its_token(
    post_request: Callable[..., Any], client: Client, catalogue: dict[str, Service]
) -> None:
    token = post_request().json()[0]["token"]
    Service.objects.filter(pk=catalogue["pothole"].pk).update(active=False)  # withdrawn meanwhile

    assert queue.drain(seconds=10)["rejected"] == 1

    assert not Case.objects.exists()
    answer = client.get(f"{BASE}tokens/{token}.json")
    assert answer.status_code == 400
    assert "rejected" in answer.json()[0]["description"]
    assert AuditRecord.objects.filter(action="open311.request_rejected").count() == 1


@pytest.mark.usefixtures("queued")
def test_an_unexpected_failure_is_retried_then_given_up(
    post_request: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    post_request()
    second = post_request(description="Druga dziura").json()[0]["token"]

    def broken(**_kwargs: Any) -> Case:
        raise RuntimeError("database went away")

    monkeypatch.setattr("okienko.integrations.open311.actions.submit_service_request", broken)
    for _round in range(queue.MAX_ATTEMPTS):
        assert queue.drain(seconds=10)["failed"] == 2  # both tried once per round, neither blocks the other
    states = set(Open311Intake.objects.values_list("state", "attempts"))
    assert states == {("rejected", queue.MAX_ATTEMPTS)}
    assert AuditRecord.objects.filter(action="open311.request_failed").count() == 2
    monkeypatch.undo()
    assert queue.drain(seconds=10) == {"opened": 0, "rejected": 0, "failed": 0}
    assert Open311Intake.objects.get(token=second).case is None


def test_adaptive_intake_queues_realtime_requests_only_when_busy(
    settings: Any, post_request: Callable[..., Any]
) -> None:
    settings.OPEN311_INTAKE, settings.OPEN311_ADAPTIVE_LIMIT, settings.OPEN311_ADAPTIVE_RATE = "adaptive", 2, 0
    assert "service_request_id" in post_request().json()[0]  # idle: the case is opened at once
    with queue.immediate_slot(), queue.immediate_slot():
        busy = post_request(description="W godzinie szczytu").json()[0]
    assert set(busy) == {"token", "service_notice", "account_id"}
    assert Open311Intake.objects.filter(state="queued").count() == 1
    call_command("open311_intake", stdout=io.StringIO())
    assert Case.objects.count() == 2


def test_immediate_intake_never_queues(settings: Any, post_request: Callable[..., Any]) -> None:
    settings.OPEN311_INTAKE = "immediate"
    inquiry = post_request(service_code="question", **{"attribute[size]": None}).json()[0]
    assert "token" in inquiry
    assert Case.objects.filter(external_token=inquiry["token"]).exists()
    assert not Open311Intake.objects.exists()


def test_a_revoked_key_is_refused_at_once_although_keys_are_remembered(
    post_request: Callable[..., Any], open311_key: IssuedToken
) -> None:
    assert post_request().status_code == 201
    revoke_api_token(actor=None, token=open311_key.token)
    refused = post_request()
    assert refused.status_code == 403
    assert "revoked" in refused.json()[0]["description"]


def test_adaptive_intake_queues_realtime_requests_while_arrivals_are_fast(
    settings: Any, post_request: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPEN311_INTAKE, settings.OPEN311_ADAPTIVE_LIMIT, settings.OPEN311_ADAPTIVE_RATE = "adaptive", 100, 2
    clock_now = [1000.2]
    monkeypatch.setattr(queue.time, "monotonic", lambda: clock_now[0])
    monkeypatch.setattr(queue, "_arrivals", queue._Arrivals())
    monkeypatch.setattr(queue, "_busy_until", 0.0)
    answers = [set(post_request(description=f"Zgłoszenie {i}").json()[0]) for i in range(3)]
    assert ["service_request_id" in a for a in answers] == [True, True, False]  # the third in one second
    clock_now[0] = 1001.5  # the next second still remembers the previous one's three
    assert "token" in post_request().json()[0]
    clock_now[0] = 1003.0  # a quiet second later: at once again
    assert "service_request_id" in post_request().json()[0]
    assert Open311Intake.objects.filter(state="queued").count() == 2


def test_the_worker_slows_down_while_receipts_arrive_fast(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.OPEN311_DRAIN_YIELD_RATE, settings.OPEN311_DRAIN_MIN_RATE = 50, 4
    clock_now = [500.0]
    slept: list[float] = []
    monkeypatch.setattr(queue.time, "monotonic", lambda: clock_now[0])
    monkeypatch.setattr(queue.time, "sleep", slept.append)
    tops = iter([100, 110, 200, 200])
    monkeypatch.setattr(queue._Pace, "_newest", staticmethod(lambda: next(tops)))
    pace = queue._Pace()
    for _ in range(4):
        pace.wait(deadline=clock_now[0] + 60)
        clock_now[0] += 1.0
    # 10/s then 90/s then 0/s arrivals: only the burst second is paced, at 1 / min_rate
    assert slept == [0.25]
    settings.OPEN311_DRAIN_YIELD_RATE = 0
    assert queue._Pace().yield_rate == 0


def test_a_busy_process_keeps_queueing_for_a_while(
    settings: Any, post_request: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPEN311_INTAKE, settings.OPEN311_ADAPTIVE_RATE, settings.OPEN311_ADAPTIVE_HOLD = "adaptive", 0, 10.0
    settings.OPEN311_ADAPTIVE_LIMIT = 1
    clock_now = [2000.0]
    monkeypatch.setattr(queue.time, "monotonic", lambda: clock_now[0])
    monkeypatch.setattr(queue, "_busy_until", 0.0)
    with queue.immediate_slot():
        assert "token" in post_request().json()[0]  # busy: queued, and the hold starts
    clock_now[0] += 9.0
    assert "token" in post_request().json()[0]  # idle again, but queued ones are not overtaken
    clock_now[0] += 1.5
    assert "service_request_id" in post_request().json()[0]
